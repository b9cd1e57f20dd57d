package org.mipfed.manager.analysis;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mipfed.algorithms.FederationContext;
import org.mipfed.algorithms.NodeAnswer;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeSession;
import org.mipfed.manager.registry.NodeUnavailableException;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.Refusal;

/**
 * The federation as one analysis sees it: the started, ready nodes holding the requested datasets,
 * reached over their sessions, all asked at once.
 */
final class SessionFederation implements FederationContext {
    private final NodeRegistry registry;
    private final DataModel dataModel;
    private final Filter filter;
    private final Map<String, List<String>> datasetsByNode;
    private final String requester;
    private final long deadlineNanos;
    private final Map<String, Long> rowsByNode = new LinkedHashMap<>();

    SessionFederation(NodeRegistry registry, DataModel dataModel, Filter filter, Map<String, List<String>> datasetsByNode,
            String requester, Duration timeout) {
        this.registry = requireNonNull(registry, "registry is null");
        this.dataModel = requireNonNull(dataModel, "dataModel is null");
        this.filter = filter;
        this.datasetsByNode = Map.copyOf(datasetsByNode);
        this.requester = requireNonNull(requester, "requester is null");
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    @Override
    public DataModel dataModel() {
        return dataModel;
    }

    @Override
    public List<NodeAnswer> compute(PrimitiveQuery.Builder query) {
        Map<String, CompletableFuture<PrimitiveResponse>> calls = new LinkedHashMap<>();
        for (String nodeId : datasetsByNode.keySet().stream().sorted().toList()) {
            PrimitiveQuery.Builder q = query.clone().setDataModel(dataModel.id()).clearDatasets().addAllDatasets(datasetsByNode.get(nodeId));
            if (filter != null) {
                q.setFilter(filter);
            }
            PrimitiveRequest request = PrimitiveRequest.newBuilder()
                    .setRequestId(UUID.randomUUID().toString())
                    .setRequester(requester)
                    .setQuery(q)
                    .build();
            NodeSession session = registry.session(nodeId).orElse(null);
            if (session == null) {
                throw unavailable(nodeId, "it went down during the analysis");
            }
            calls.put(nodeId, session.send(request));
        }
        List<NodeAnswer> answers = new ArrayList<>();
        for (Map.Entry<String, CompletableFuture<PrimitiveResponse>> call : calls.entrySet()) {
            String nodeId = call.getKey();
            PrimitiveResponse response = await(nodeId, call.getValue());
            if (response.hasRefusal()) {
                throw refused(nodeId, response.getRefusal());
            }
            rowsByNode.merge(nodeId, response.getResult().getRowsUsed(), Math::max);
            answers.add(new NodeAnswer(registry.displayName(nodeId), datasetsByNode.get(nodeId), response.getResult()));
        }
        return answers;
    }

    /** Rows each node used (the most over the analysis' primitives), by node id. */
    Map<String, Long> rowsByNode() {
        return rowsByNode;
    }

    private PrimitiveResponse await(String nodeId, CompletableFuture<PrimitiveResponse> call) {
        long left = deadlineNanos - System.nanoTime();
        try {
            return call.get(Math.max(0, left), TimeUnit.NANOSECONDS);
        }
        catch (TimeoutException e) {
            call.cancel(false);
            throw new Problem(504, "Analysis timed out", "Node " + registry.displayName(nodeId) + " did not answer before the analysis' deadline. Try again, or ask its administrator whether it is overloaded.");
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem(503, "Analysis interrupted", "The manager is shutting down; run the analysis again later.");
        }
        catch (ExecutionException e) {
            if (e.getCause() instanceof NodeUnavailableException) {
                throw unavailable(nodeId, "its session ended during the analysis");
            }
            throw new Problem(500, "Internal error", "Node " + registry.displayName(nodeId) + " could not be asked: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private Problem unavailable(String nodeId, String why) {
        return new Problem(503, "Node unavailable", "Node " + registry.displayName(nodeId) + " (datasets " + String.join(", ", datasetsByNode.get(nodeId)) + ") is unavailable: " + why + ". Try again when it is back (see GET /healthcheck).");
    }

    private Problem refused(String nodeId, Refusal refusal) {
        String node = registry.displayName(nodeId);
        if (refusal.getCallerError()) {
            return new Problem(400, "Refused by node " + node, "Node " + node + " refused (" + refusal.getRule() + "): " + refusal.getMessage());
        }
        return new Problem(502, "Node error", "Node " + node + " failed: " + refusal.getMessage());
    }
}
