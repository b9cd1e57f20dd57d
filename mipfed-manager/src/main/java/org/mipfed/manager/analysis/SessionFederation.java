package org.mipfed.manager.analysis;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.request.Filters;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeUnavailableException;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.LongitudinalTransform;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.Refusal;

/**
 * The federation as one analysis sees it: the started, ready nodes holding the requested datasets,
 * reached over their sessions, all asked at once.
 */
final class SessionFederation implements FederationContext {
    private final NodeRegistry registry;
    private final DataModel dataModel;
    private final Filter filter;
    private final LongitudinalTransform longitudinal;
    private final Map<String, List<String>> datasetsByNode;
    private final String requester;
    private final Duration timeout;
    private final long deadlineNanos;
    private final boolean allowPartial;
    private final Map<String, Long> rowsByNode = new LinkedHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger rounds = new java.util.concurrent.atomic.AtomicInteger();
    private final SecureAggregation secure;
    private final Progress progress;
    /** The experiment's id, on every request: a node stops the analysis' primitives when it is cancelled. */
    private final String analysisId;

    SessionFederation(
            NodeRegistry registry,
            DataModel dataModel,
            Filter filter,
            LongitudinalTransform longitudinal,
            Map<String, List<String>> datasetsByNode,
            String requester,
            Duration timeout,
            long deadlineNanos,
            boolean allowPartial,
            boolean smpc,
            Progress progress,
            String analysisId) {
        this.progress = progress;
        this.analysisId = requireNonNull(analysisId, "analysisId is null");
        this.registry = requireNonNull(registry, "registry is null");
        this.dataModel = requireNonNull(dataModel, "dataModel is null");
        this.filter = filter;
        this.longitudinal = longitudinal;
        this.datasetsByNode = Map.copyOf(datasetsByNode);
        this.requester = requireNonNull(requester, "requester is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.deadlineNanos = deadlineNanos;
        this.allowPartial = allowPartial;
        this.secure = smpc
                ? new SecureAggregation(
                        UUID.randomUUID().toString(),
                        dataModel,
                        List.copyOf(datasetsByNode.keySet()),
                        requester,
                        this::send,
                        registry::displayName,
                        deadlineNanos,
                        allowPartial)
                : null;
    }

    /** How many primitive rounds (one request to every node involved) the flow has sent so far. */
    public int rounds() {
        return rounds.get();
    }

    @Override
    public DataModel dataModel() {
        return dataModel;
    }

    @Override
    public List<NodeAnswer> compute(PrimitiveQuery.Builder query) {
        rounds.incrementAndGet();
        if (progress != null && query.hasFold()) {
            progress.fold(query.getFold().getFold(), query.getFold().getNSplits());
        }
        if (secure != null) {
            if (query.getDatasetsCount() > 0) {
                throw Problem.badRequest("This analysis needs figures of single datasets ("
                        + String.join(", ", query.getDatasetsList()) + "), which flags.smpc would sum with the other"
                        + " nodes' answers; run it without smpc");
            }
            return computeSecurely(query);
        }
        Map<String, PrimitiveRequest> requests = new LinkedHashMap<>();
        Map<String, CompletableFuture<PrimitiveResponse>> calls = new LinkedHashMap<>();
        // what every node is asked, built once per round; per node only its datasets and a request id differ (it was
        // built three times over per node: the query, its copy with the node's datasets, the request stamped with
        // the analysis' id)
        PrimitiveQuery common = commonQuery(query);
        for (String nodeId : datasetsByNode.keySet().stream().sorted().toList()) {
            List<String> datasets = datasetsFor(nodeId, query);
            if (datasets.isEmpty()) {
                continue;
            }
            PrimitiveRequest request = PrimitiveRequest.newBuilder()
                    .setRequestId(UUID.randomUUID().toString())
                    .setRequester(requester)
                    .setAnalysisId(analysisId)
                    .setQuery(common.toBuilder().addAllDatasets(datasets))
                    .build();
            requests.put(nodeId, request);
            calls.put(nodeId, send(nodeId, request));
        }
        List<NodeAnswer> answers = new ArrayList<>();
        for (String nodeId : calls.keySet()) {
            PrimitiveResponse response = await(nodeId, requests.get(nodeId), calls.get(nodeId));
            if (response.hasRefusal()) {
                throw refused(registry.displayName(nodeId), response.getRefusal());
            }
            rowsByNode.merge(nodeId, response.getResult().getRowsUsed(), Math::max);
            answers.add(new NodeAnswer(registry.displayName(nodeId), datasetsFor(nodeId, query), response.getResult()));
        }
        return answers;
    }

    /** The node's requested datasets, or those of them the query names when it names some (one group's rows). */
    private List<String> datasetsFor(String nodeId, PrimitiveQuery.Builder query) {
        List<String> own = datasetsByNode.get(nodeId);
        if (query.getDatasetsCount() == 0) {
            return own;
        }
        return own.stream().filter(query.getDatasetsList()::contains).toList();
    }

    private PrimitiveQuery queryFor(String nodeId, PrimitiveQuery.Builder query) {
        return commonQuery(query).toBuilder()
                .addAllDatasets(datasetsByNode.get(nodeId))
                .build();
    }

    /** The query as every node gets it, without datasets: the data model, the analysis' filter and transform. */
    private PrimitiveQuery commonQuery(PrimitiveQuery.Builder query) {
        PrimitiveQuery.Builder q = query.clone().setDataModel(dataModel.id()).clearDatasets();
        if (longitudinal != null) {
            q.setLongitudinal(longitudinal);
        }
        if (filter != null) {
            q.setFilter(q.hasFilter() ? Filters.and(filter, q.getFilter()) : filter);
        }
        return q.build();
    }

    /** Under secure aggregation: one answer, the masked sum over the nodes still in the session. */
    private List<NodeAnswer> computeSecurely(PrimitiveQuery.Builder query) {
        Map<String, PrimitiveQuery> queries = new LinkedHashMap<>();
        List<String> datasets = new ArrayList<>();
        for (String nodeId : datasetsByNode.keySet().stream().sorted().toList()) {
            if (!secure.dropped().contains(nodeId)) {
                queries.put(nodeId, queryFor(nodeId, query));
                datasets.addAll(datasetsByNode.get(nodeId));
            }
        }
        PrimitiveResult sum = secure.compute(queries);
        return List.of(new NodeAnswer("secure aggregate of " + queries.size() + " nodes", datasets, sum));
    }

    /** Nodes lost during a secure-aggregation analysis that went on without them. */
    Set<String> droppedNodes() {
        return secure == null ? Set.of() : secure.dropped();
    }

    /** Whether the nodes' answers were summed under masks: then no node's own row count is known. */
    @Override
    public boolean secure() {
        return secure != null;
    }

    /** Rows each node used (the most over the analysis' primitives), by node id. */
    Map<String, Long> rowsByNode() {
        return rowsByNode;
    }

    private CompletableFuture<PrimitiveResponse> send(String nodeId, PrimitiveRequest unstamped) {
        PrimitiveRequest request = unstamped.getAnalysisId().equals(analysisId)
                ? unstamped
                : unstamped.toBuilder().setAnalysisId(analysisId).build();
        CompletableFuture<PrimitiveResponse> call = registry.session(nodeId)
                .map(s -> s.send(request))
                .orElseGet(() -> CompletableFuture.failedFuture(new NodeUnavailableException(nodeId, "no session")));
        if (progress != null) {
            progress.asked(nodeId);
            call.whenComplete((response, error) -> {
                if (response != null) {
                    progress.answered(nodeId);
                }
            });
        }
        return call;
    }

    /**
     * Waits for a node's answer. When the node's session drops, the same request (primitives are
     * read-only, so asking twice is harmless) is sent again once the node is back — unless the
     * analysis accepts partial results, in which case the node is given up at once.
     */
    private PrimitiveResponse await(
            String nodeId, PrimitiveRequest request, CompletableFuture<PrimitiveResponse> call) {
        CompletableFuture<PrimitiveResponse> current = call;
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            try {
                return current.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                current.cancel(false);
                throw new Problem(
                        ProblemType.TIMED_OUT,
                        "Node " + registry.displayName(nodeId) + " did not answer within the analysis' deadline ("
                                + timeout.toSeconds()
                                + " s). Try again later, or ask its administrator whether it is overloaded or down.");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Problem(
                        ProblemType.INTERRUPTED, "The manager is shutting down; run the analysis again later.");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NodeUnavailableException)) {
                    throw new Problem(
                            ProblemType.INTERNAL_ERROR,
                            "Node " + registry.displayName(nodeId) + " could not be asked: "
                                    + e.getCause().getMessage(),
                            e.getCause());
                }
                if (allowPartial) {
                    throw new NodeLostException(nodeId);
                }
                current = send(awaitSession(nodeId), request);
            }
        }
    }

    /** Waits (until the deadline) for a node's session to come back; returns the node id. */
    private String awaitSession(String nodeId) {
        while (System.nanoTime() < deadlineNanos) {
            if (registry.session(nodeId).isPresent()) {
                return nodeId;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Problem(
                        ProblemType.INTERRUPTED, "The manager is shutting down; run the analysis again later.");
            }
        }
        throw unavailable(
                nodeId,
                "it went down during the analysis and did not come back within the deadline (" + timeout.toSeconds()
                        + " s)");
    }

    /** A node was lost during an analysis that accepts partial results: the flow restarts without it. */
    static final class NodeLostException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String nodeId;

        NodeLostException(String nodeId) {
            super("node " + nodeId + " was lost", null, false, false);
            this.nodeId = nodeId;
        }

        String nodeId() {
            return nodeId;
        }
    }

    private Problem unavailable(String nodeId, String why) {
        return new Problem(
                ProblemType.NODE_UNAVAILABLE,
                "Node " + registry.displayName(nodeId) + " (datasets " + String.join(", ", datasetsByNode.get(nodeId))
                        + ") is unavailable: " + why + ". Try again when it is back (see GET /healthcheck).");
    }

    /**
     * A node's refusal as the researcher sees it: {@code refused_by_node} (400) when the request was at fault, else
     * {@code node_error} (502); either way the node and its rule travel as fields, so that a client never parses the text.
     */
    static Problem refused(String node, Refusal refusal) {
        if (refusal.getCallerError()) {
            return Problem.refusedByNode(
                    node,
                    refusal.getRule(),
                    "Node " + node + " refused (" + refusal.getRule() + "): " + refusal.getMessage());
        }
        return new Problem(
                ProblemType.NODE_ERROR,
                "Node " + node + " failed (" + refusal.getRule() + "): " + refusal.getMessage(),
                Map.of("node", node, "rule", refusal.getRule()),
                null);
    }
}
