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
     */
    List<NodeAnswer> compute(PrimitiveQuery.Builder query);
}
