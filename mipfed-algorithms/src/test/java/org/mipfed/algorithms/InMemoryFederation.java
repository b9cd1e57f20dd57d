package org.mipfed.algorithms;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.core.request.Filters;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * A federation in memory: a data model and nodes holding rows. {@link #context} gives a flow what a
 * real manager would: each node computes the primitive over its own requested datasets, filtered.
 */
public final class InMemoryFederation {
    private final DataModel model;
    private final List<InMemoryNode> nodes;

    public InMemoryFederation(DataModel model, List<InMemoryNode> nodes) {
        this.model = requireNonNull(model, "model is null");
        this.nodes = List.copyOf(nodes);
    }

    /** The datasets dealt round-robin over {@code nodeCount} nodes, in dataset order, each node with the given privacy threshold. */
    public static InMemoryFederation spread(
            DataModel model, Map<String, List<Map<String, Object>>> rowsByDataset, int nodeCount, int minRows) {
        List<Map<String, List<Map<String, Object>>>> holdings = new ArrayList<>();
        for (int i = 0; i < nodeCount; i++) {
            holdings.add(new LinkedHashMap<>());
        }
        int i = 0;
        for (Map.Entry<String, List<Map<String, Object>>> dataset : rowsByDataset.entrySet()) {
            holdings.get(i++ % nodeCount).put(dataset.getKey(), dataset.getValue());
        }
        List<InMemoryNode> nodes = new ArrayList<>();
        for (int n = 0; n < nodeCount; n++) {
            nodes.add(new InMemoryNode("node" + (n + 1), holdings.get(n), minRows));
        }
        return new InMemoryFederation(model, nodes);
    }

    /**
     * The dementia test data on {@code nodeCount} nodes with a minimum of 1 row, like Exareme2's
     * validation deployments.
     */
    public static InMemoryFederation dementia(int nodeCount) {
        return spread(TestData.dementiaModel(), TestData.dementiaRows(), nodeCount, 1);
    }

    /** The longitudinal dementia data (its rows as they are, visits unpaired) on {@code nodeCount} nodes, minimum 1 row. */
    public static InMemoryFederation longitudinal(int nodeCount) {
        return spread(TestData.longitudinalModel(), TestData.longitudinalRows(), nodeCount, 1);
    }

    public DataModel model() {
        return model;
    }

    /** Runs {@code algorithm} on a request, validated against the data model as the manager does, over these nodes. */
    public JsonNode run(Algorithm algorithm, JsonNode request) {
        AnalysisInput input = RequestValidator.validate(algorithm, AnalysisRequest.fromJson(request), model);
        return algorithm.run(input, context(input)).toJson();
    }

    public List<InMemoryNode> nodes() {
        return nodes;
    }

    /** What the flow of {@code input} sees: only nodes holding a requested dataset are asked, each for its own. */
    public FederationContext context(AnalysisInput input) {
        return new FederationContext() {
            @Override
            public DataModel dataModel() {
                return model;
            }

            @Override
            public List<NodeAnswer> compute(PrimitiveQuery.Builder query) {
                if (input.longitudinal() != null) {
                    // Pairing visits is the node's SQL; its tests are the node's and the real federation's.
                    throw new UnsupportedOperationException("the in-memory federation does not pair visits");
                }
                List<NodeAnswer> answers = new ArrayList<>();
                for (InMemoryNode node : nodes) {
                    List<String> datasets = input.datasets().stream()
                            .filter(node.datasets()::containsKey)
                            .filter(d -> query.getDatasetsCount() == 0
                                    || query.getDatasetsList().contains(d))
                            .toList();
                    if (datasets.isEmpty()) {
                        continue;
                    }
                    PrimitiveQuery.Builder own = query.clone()
                            .setDataModel(model.id())
                            .clearDatasets()
                            .addAllDatasets(datasets);
                    if (input.filter() != null) {
                        own.setFilter(own.hasFilter() ? Filters.and(input.filter(), own.getFilter()) : input.filter());
                    }
                    answers.add(new NodeAnswer(node.name(), datasets, node.compute(own.build())));
                }
                return answers;
            }
        };
    }
}
