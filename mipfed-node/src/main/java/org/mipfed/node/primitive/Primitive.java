package org.mipfed.node.primitive;

import com.google.protobuf.Message;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * One computation a node agrees to answer: a deliberate change to what hospitals compute, so each is one class
 * implementing this interface and registered in {@link Primitives}. {@link PrimitiveExecutor} does everything
 * around it the same way for every primitive: the allowed-primitives rule, the data model, datasets, filter and
 * longitudinal pairing, the selection's row check, the refusal budget and the audit line.
 *
 * <p>A primitive holds no state: what a request may use reaches it through its {@link QueryScope} (the selected
 * rows, the dialect, the node's {@link org.mipfed.node.privacy.PrivacyGuard}). If its answer is a plain sum over
 * rows, secure aggregation can mask it: its flat layout is a {@code SummableCodec} registered in core's
 * {@code SummableResults}, since the manager must read the same layout.
 *
 * @param <Q> the primitive's part of the request (one case of {@code PrimitiveQuery}'s {@code primitive} oneof)
 */
interface Primitive<Q extends Message> {
    /** The case of the request's {@code primitive} oneof this primitive answers. */
    PrimitiveQuery.PrimitiveCase kind();

    /** Its name in the node's policy ({@code allowed_primitives}), the audit log and messages: the oneof field's name. */
    default String name() {
        return kind().name().toLowerCase(Locale.ROOT);
    }

    /** Its part of {@code query}, whose case is {@link #kind()}. */
    Q query(PrimitiveQuery query);

    /** Adds every variable {@code query} names (filters apart) to {@code names}, for the audit log. */
    void variables(Q query, Set<String> names);

    /**
     * Whether the selection's row check applies per dataset (a primitive whose figures are per dataset) rather than
     * to the requested datasets together.
     */
    default boolean perDataset() {
        return false;
    }

    /**
     * Computes the answer: refuses a wrong request ({@link RefusalException#caller} with a request-only rule such as
     * {@link RefusalException#INVALID_QUERY}) before reading rows, reads the aggregates with bound SQL over
     * {@code scope}, and passes them through {@code scope.guard()} before returning anything.
     */
    PrimitiveResult run(Connection connection, QueryScope scope, Q query) throws SQLException;

    /**
     * The answer with the figures of {@code withheld} removed: what the selection check found releasable only in
     * part ({@link #perDataset()} primitives). Nothing by default.
     */
    default PrimitiveResult withhold(PrimitiveResult result, Set<String> withheld) {
        return result;
    }
}
