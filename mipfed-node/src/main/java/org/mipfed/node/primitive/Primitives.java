package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Message;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * Every primitive this node computes, registered once: the only place that knows the kinds of primitive. Adding one
 * means adding its class to {@link #ALL}; {@code TestPrimitives} fails while a kind of the proto has none.
 */
final class Primitives {
    /** In the order messages list them. */
    static final List<Primitive<?>> ALL = List.of(
            new DescribePrimitive(),
            new LevelsPrimitive(),
            new CrossProductsPrimitive(),
            new MomentsPrimitive(),
            new GlmStepPrimitive(),
            new HistogramPrimitive(),
            new KmeansStepPrimitive(),
            new SurvivalCountsPrimitive(),
            new CoxStepPrimitive(),
            new ModelScorePrimitive(),
            new ClassSummaryPrimitive(),
            new QuantileCountsPrimitive());

    private static final Map<PrimitiveQuery.PrimitiveCase, Primitive<?>> BY_KIND = byKind(ALL);

    private Primitives() {}

    /** The primitive {@code query} asks for, empty when it names none this node knows. */
    static Optional<Primitive<?>> of(PrimitiveQuery query) {
        return Optional.ofNullable(BY_KIND.get(query.getPrimitiveCase()));
    }

    /** The name of the primitive {@code query} asks for, {@code none} when it names none. */
    static String name(PrimitiveQuery query) {
        return of(query).map(Primitive::name).orElse("none");
    }

    /** Every variable {@code query}'s primitive names (filters apart), each once, for the audit log. */
    static List<String> variables(PrimitiveQuery query) {
        Set<String> names = new LinkedHashSet<>();
        of(query).ifPresent(primitive -> variables(primitive, query, names));
        return List.copyOf(names);
    }

    /** Runs {@code query}'s primitive over {@code scope}, withholding what the selection check did not admit. */
    static PrimitiveResult run(
            Primitive<?> primitive, Connection connection, QueryScope scope, PrimitiveQuery query, Set<String> withheld)
            throws SQLException {
        return primitive.withhold(typed(primitive, connection, scope, query), withheld);
    }

    /** "describe, levels, … and class_summary". */
    static String names() {
        List<String> names = new ArrayList<>(ALL.stream().map(Primitive::name).toList());
        String last = names.remove(names.size() - 1);
        return String.join(", ", names) + " and " + last;
    }

    private static <Q extends Message> PrimitiveResult typed(
            Primitive<Q> primitive, Connection connection, QueryScope scope, PrimitiveQuery query) throws SQLException {
        return primitive.run(connection, scope, primitive.query(query));
    }

    private static <Q extends Message> void variables(Primitive<Q> primitive, PrimitiveQuery query, Set<String> names) {
        primitive.variables(primitive.query(query), names);
    }

    private static Map<PrimitiveQuery.PrimitiveCase, Primitive<?>> byKind(List<Primitive<?>> primitives) {
        Map<PrimitiveQuery.PrimitiveCase, Primitive<?>> byKind = new EnumMap<>(PrimitiveQuery.PrimitiveCase.class);
        for (Primitive<?> primitive : primitives) {
            Primitive<?> earlier = byKind.put(requireNonNull(primitive.kind(), "kind is null"), primitive);
            if (earlier != null) {
                throw new IllegalStateException(primitive.getClass().getSimpleName() + " and "
                        + earlier.getClass().getSimpleName() + " both answer " + primitive.kind());
            }
        }
        return byKind;
    }
}
