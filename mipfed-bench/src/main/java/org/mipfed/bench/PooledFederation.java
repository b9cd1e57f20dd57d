package org.mipfed.bench;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * The floor a federated run approaches: all rows in one store, the same primitives (same SQL) and
 * the same flows, in one process, with no network.
 */
final class PooledFederation implements FederationContext {
    private final DataModel model;
    private final PrimitiveExecutor executor;
    private final List<String> datasets;
    private final Filter filter;

    PooledFederation(DataModel model, PrimitiveExecutor executor, List<String> datasets, Filter filter) {
        this.model = requireNonNull(model, "model is null");
        this.executor = requireNonNull(executor, "executor is null");
        this.datasets = List.copyOf(datasets);
        this.filter = filter;
    }

    @Override
    public DataModel dataModel() {
        return model;
    }

    @Override
    public List<NodeAnswer> compute(PrimitiveQuery.Builder query) {
        PrimitiveQuery.Builder q =
                query.clone().setDataModel(model.id()).clearDatasets().addAllDatasets(datasets);
        if (filter != null) {
            q.setFilter(filter);
        }
        return List.of(new NodeAnswer("pooled", datasets, executor.execute(q.build(), "bench")));
    }
}
