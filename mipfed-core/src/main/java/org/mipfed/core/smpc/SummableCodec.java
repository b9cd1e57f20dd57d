package org.mipfed.core.smpc;

import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * How one kind of primitive answer is laid out as a flat vector of numbers for secure aggregation: a node flattens
 * its answer before masking it, the manager unflattens the decoded sum into one answer. It lives in core, not on the
 * node, because both sides must read the same layout. Only answers whose every number is a sum over rows (or a 0/1
 * presence flag the manager may learn the count of) may have a codec; {@link SummableResults} registers them.
 *
 * <p>Slot 0 of every vector is {@code rows_used}, written and read by {@link SummableResults}; a codec owns the
 * slots from 1 on.
 */
public interface SummableCodec {
    /** The primitive whose answers this codec lays out. */
    PrimitiveQuery.PrimitiveCase kind();

    /** How many numbers the answer to {@code query} flattens to, slot 0 included. */
    int length(DataModel model, PrimitiveQuery query);

    /** Writes the answer's numbers into {@code out} from slot 1 on. */
    void flatten(DataModel model, PrimitiveQuery query, PrimitiveResult result, double[] out);

    /** Sets on {@code out} the answer whose numbers are {@code sum} (its length already checked). */
    void unflatten(DataModel model, PrimitiveQuery query, double[] sum, PrimitiveResult.Builder out);
}
