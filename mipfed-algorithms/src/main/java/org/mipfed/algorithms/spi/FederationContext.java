package org.mipfed.algorithms.spi;

import java.util.List;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * What a flow sees of the federation: the data model and a way to ask every node that holds some of
 * the requested datasets for one primitive, in parallel. The context fills in each node's own
 * datasets and filter; a flow only says which primitive it needs (and, if it restricts the rows further, as a
 * stratified table does, its own filter, which the context ANDs with the request's).
 *
 * <p>A node that refuses because of the request (unknown variable, too few rows...) makes
 * {@link #compute} throw a {@link org.mipfed.core.problem.Problem} with a 4xx status that names the
 * node; an unavailable node a 503.
 */
public interface FederationContext {
    DataModel dataModel();

    /**
     * Runs one primitive on every contributing node and returns their answers, one per node, in a
     * stable order. Answers with {@code rows_used == 0} come from nodes where nothing matched.
     *
     * <p>A query that names datasets is asked only of the nodes holding some of them, each for those of them only
     * (one dataset's figures, as a random slope per dataset needs); under secure aggregation such a query is refused,
     * since the sum over nodes it would be masked in is one node's answer.
     */
    List<NodeAnswer> compute(PrimitiveQuery.Builder query);

    /** Whether the nodes' answers are summed under masks (flags.smpc): then {@link #compute} gives one answer. */
    default boolean secure() {
        return false;
    }
}
