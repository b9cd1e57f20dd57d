package org.mipfed.manager.analysis;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.metrics.ManagerMetrics;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.proto.v1.CancelAnalysis;
import org.mipfed.proto.v1.ManagerMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis path on the manager: validate the request, find the nodes holding its datasets,
 * run the algorithm's flow over them and keep the experiment. Synchronous ({@link #run}) or
 * asynchronous ({@link #submit}); both leave a durable experiment behind.
 */
public final class AnalysisService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnalysisService.class);

    private final NodeRegistry registry;
    private final DataCatalogue catalogue;
    private final ExperimentStore experiments;
    private final Algorithms algorithms;
    private final ManagerMetrics metrics;
    /** How far each analysis running now has got, by experiment id. */
    private final Map<String, Progress> inProgress = new ConcurrentHashMap<>();
    /** The submitted experiments not finished yet, by id; guarded by itself. */
    private final Map<String, Future<?>> tasks = new HashMap<>();
    /** Ids of experiments cancelled: whatever their interrupted run ends with is not kept. */
    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();

    private final ExecutorService background = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "mipfed-experiment");
        t.setDaemon(true);
        return t;
    });

    public AnalysisService(
            NodeRegistry registry, DataCatalogue catalogue, ExperimentStore experiments, Algorithms algorithms) {
        this(registry, catalogue, experiments, algorithms, null);
    }

    /** As above, counting each analysis's time, outcome and rounds in {@code metrics} (when not null). */
    public AnalysisService(
            NodeRegistry registry,
            DataCatalogue catalogue,
            ExperimentStore experiments,
            Algorithms algorithms,
            ManagerMetrics metrics) {
        this.metrics = metrics;
        this.registry = requireNonNull(registry, "registry is null");
        this.catalogue = requireNonNull(catalogue, "catalogue is null");
        this.experiments = requireNonNull(experiments, "experiments is null");
        this.algorithms = requireNonNull(algorithms, "algorithms is null");
    }

    /**
     * Runs an analysis synchronously and returns its result in Exareme2's shape. Its experiment is
     * recorded once, finished, without making the caller wait for the disk (the caller has the answer).
     */
    public ObjectNode run(String algorithmName, AnalysisRequest request, String user) {
        return run(algorithmName, request, user, UUID.randomUUID().toString());
    }

    /** {@link #run(String, AnalysisRequest, String)} under an experiment id the caller chose (to audit it). */
    public ObjectNode run(String algorithmName, AnalysisRequest request, String user, String experimentId) {
        Algorithm algorithm = algorithms.get(algorithmName);
        Experiment experiment = Experiment.pending(
                requireNonNull(experimentId, "experimentId is null"), algorithmName, user, request.toJson());
        return execute(algorithm, request, experiment, false);
    }

    /** Starts an analysis in the background; the experiment (status pending) is stored before this returns. */
    public Experiment submit(String algorithmName, AnalysisRequest request, String user) {
        return submit(algorithmName, request, user, null);
    }

    /** {@link #submit(String, AnalysisRequest, String)} under a name the researcher gave (null: unnamed). */
    public Experiment submit(String algorithmName, AnalysisRequest request, String user, String name) {
        Algorithm algorithm = algorithms.get(algorithmName);
        RunOptions.of(request.flags());
        Experiment experiment =
                Experiment.pending(UUID.randomUUID().toString(), algorithmName, user, request.toJson(), name);
        experiments.save(experiment);
        synchronized (tasks) {
            tasks.put(experiment.id(), background.submit(() -> {
                try {
                    execute(algorithm, request, experiment, true);
                } catch (Problem p) {
                    LOG.debug("experiment {} ended with an error: {}", experiment.id(), p.detail());
                } catch (RuntimeException e) {
                    LOG.error("experiment {} failed", experiment.id(), e);
                } finally {
                    synchronized (tasks) {
                        tasks.remove(experiment.id());
                    }
                }
            }));
        }
        return experiment;
    }

    /** Node to queries asked and answered, while the experiment runs; empty once it has finished. */
    /**
     * The nodes that confirmed they stopped a cancelled experiment, by name, with how many of its primitives were
     * running on each; empty if none did (yet).
     */
    public Map<String, Integer> stoppedOnNodes(String id) {
        return registry.cancelConfirmations(id);
    }

    /** While a cross-validation runs: each fold's state (see {@link Progress#folds()}). */
    public Optional<Map<String, Object>> foldProgress(String id) {
        return Optional.ofNullable(inProgress.get(id)).flatMap(Progress::folds);
    }

    public Optional<Map<String, Map<String, Long>>> progress(String id) {
        return Optional.ofNullable(inProgress.get(id)).map(p -> p.snapshot(registry::displayName));
    }

    /** Renames an experiment (null: unnamed), whether or not it has finished; empty when there is none. */
    public Optional<Experiment> rename(String id, String name) {
        synchronized (tasks) {
            Optional<Experiment> renamed = experiments.get(id).map(e -> e.named(name));
            renamed.ifPresent(experiments::save);
            return renamed;
        }
    }

    /**
     * Stops a submitted experiment that has not finished: its thread is interrupted, so no further query goes to the
     * nodes, the nodes it asked are told to stop its primitives ({@code CancelAnalysis}: a node interrupts the
     * queries running for it and refuses any that comes later), and it is kept as {@code cancelled}. Answers the experiment as kept, or empty when it had already finished.
     *
     * @param by who cancelled it, named in its error
     */
    public Optional<Experiment> cancel(String id, String by) {
        Progress progress = inProgress.get(id); // read first: the interrupted run forgets it
        Optional<Experiment> stopped = cancelHere(id, by);
        if (stopped.isPresent()) {
            // the nodes it asked stop its primitives too, and say so (NodeRegistry#cancelConfirmations)
            CancelAnalysis cancel = CancelAnalysis.newBuilder()
                    .setAnalysisId(id)
                    .setRequester(by)
                    .build();
            for (String nodeId : progress == null ? java.util.Set.<String>of() : progress.nodes()) {
                registry.session(nodeId)
                        .ifPresent(s -> s.offer(
                                ManagerMessage.newBuilder().setCancel(cancel).build()));
            }
        }
        return stopped;
    }

    private Optional<Experiment> cancelHere(String id, String by) {
        Future<?> task;
        synchronized (tasks) {
            Experiment current = experiments.get(id).orElse(null);
            if (current == null || !current.unfinished()) {
                return Optional.empty();
            }
            cancelled.add(id);
            task = tasks.get(id);
            Experiment stopped = current.cancelled(by);
            experiments.save(stopped);
            if (task != null) {
                task.cancel(true);
            }
            LOG.info("experiment {} ({}) cancelled by {}", id, current.algorithm(), by);
            return Optional.of(stopped);
        }
    }

    /**
     * @param submitted whether the experiment was submitted ({@code POST /experiments}): then every
     *     state is saved before the analysis goes on, so a crash leaves it {@code interrupted}, never lost
     */
    private ObjectNode execute(Algorithm algorithm, AnalysisRequest request, Experiment pending, boolean submitted) {
        Instant started = Instant.now();
        Progress progress = new Progress();
        inProgress.put(pending.id(), progress);
        try {
            return execute(algorithm, request, pending, submitted, started, progress);
        } finally {
            inProgress.remove(pending.id());
        }
    }

    private ObjectNode execute(
            Algorithm algorithm,
            AnalysisRequest request,
            Experiment pending,
            boolean submitted,
            Instant started,
            Progress progress) {
        long startedNanos = System.nanoTime();
        // rounds of the flows run so far (a lost node starts the flow again) and of the one running now
        int rounds = 0;
        SessionFederation flow = null;
        String outcome = ManagerMetrics.ERROR;
        Experiment running = pending.running();
        if (submitted) {
            synchronized (tasks) {
                if (cancelled.contains(pending.id())) {
                    return null; // cancelled before it started
                }
                experiments.save(running);
            }
        }
        try {
            RunOptions options = RunOptions.of(request.flags());
            long deadline = System.nanoTime() + options.timeout().toNanos();
            Set<String> lost = new LinkedHashSet<>();
            while (true) {
                Plan plan = plan(algorithm, request, options, lost);
                if (options.smpc() && plan.datasetsByNode().size() < 2) {
                    // impossible when the datasets are on one node in all (400); else a node is away for now (503)
                    throw new Problem(
                            plan.holders() < 2
                                    ? ProblemType.SECURE_AGGREGATION_NOT_POSSIBLE
                                    : ProblemType.TOO_FEW_NODES,
                            "flags.smpc sums the nodes' answers under masks, but the requested datasets are on "
                                    + plan.datasetsByNode().size()
                                    + " node(s) available now: over one node the sum is that node's own answer. Add datasets of another node, "
                                    + "or run without smpc.");
                }
                SessionFederation federation = new SessionFederation(
                        registry,
                        plan.input().dataModel(),
                        plan.input().filter(),
                        plan.input().longitudinal(),
                        plan.datasetsByNode(),
                        running.user(),
                        options.timeout(),
                        deadline,
                        options.allowPartial(),
                        options.smpc(),
                        progress,
                        pending.id());
                flow = federation;
                ObjectNode result;
                try {
                    result = algorithm.run(plan.input(), federation).toJson();
                } catch (SessionFederation.NodeLostException e) {
                    rounds += federation.rounds();
                    flow = null;
                    // Partial results accepted: start the flow again without the lost node.
                    lost.add(e.nodeId());
                    LOG.info(
                            "{}: node {} was lost during the analysis; running again without it",
                            algorithm.name(),
                            registry.label(e.nodeId()));
                    continue;
                }
                List<Experiment.Contribution> contributions = new ArrayList<>();
                List<String> missing = new ArrayList<>(plan.missing());
                plan.datasetsByNode().forEach((node, datasets) -> {
                    if (federation.droppedNodes().contains(node)) {
                        missing.addAll(datasets);
                    } else {
                        contributions.add(new Experiment.Contribution(
                                registry.displayName(node),
                                datasets,
                                federation.secure()
                                        ? null
                                        : federation.rowsByNode().getOrDefault(node, 0L)));
                    }
                });
                result.set("contributing_nodes", Json.mapper().valueToTree(contributions));
                if (!missing.isEmpty()) {
                    result.set("missing_datasets", Json.mapper().valueToTree(missing));
                }
                if (federation.secure()) {
                    result.put("secure_aggregation", true);
                }
                keep(running.succeeded(result, contributions), submitted);
                outcome = ManagerMetrics.SUCCESS;
                LOG.info(
                        "{} by {} on {} node(s) in {} ms",
                        algorithm.name(),
                        running.user(),
                        contributions.size(),
                        Duration.between(started, Instant.now()).toMillis());
                return result;
            }
        } catch (Problem p) {
            outcome = outcome(p);
            keep(running.failed(p), submitted);
            throw p;
        } catch (RuntimeException e) {
            keep(
                    running.failed(new Problem(
                            ProblemType.INTERNAL_ERROR,
                            "The manager failed while running this analysis ("
                                    + e.getClass().getSimpleName() + "); see its log.")),
                    submitted);
            throw e;
        } finally {
            if (metrics != null) {
                metrics.analysis(
                        algorithm.name(),
                        outcome,
                        Duration.ofNanos(System.nanoTime() - startedNanos),
                        rounds + (flow == null ? 0 : flow.rounds()));
            }
        }
    }

    private static String outcome(Problem p) {
        if (p.type() == ProblemType.REFUSED_BY_NODE) {
            return ManagerMetrics.REFUSED;
        }
        if (p.status() == 503) {
            return ManagerMetrics.UNAVAILABLE;
        }
        return p.status() < 500 ? ManagerMetrics.INVALID : ManagerMetrics.ERROR;
    }

    private void keep(Experiment finished, boolean submitted) {
        if (!submitted) {
            experiments.record(finished);
            return;
        }
        // under the lock cancel takes, so that a cancel never interrupts this write, nor is overwritten by it
        synchronized (tasks) {
            if (cancelled.contains(finished.id())) {
                return; // cancelled meanwhile: the cancelled state is kept, not what the interrupted run ends with
            }
            // renamed meanwhile: keep the new name
            String name = experiments.get(finished.id()).map(Experiment::name).orElse(finished.name());
            experiments.save(finished.named(name));
        }
    }

    /**
     * @param missing datasets left out because their node is unavailable (only with allow_partial)
     * @param holders how many nodes hold the requested datasets, available or not
     */
    private record Plan(
            AnalysisInput input, Map<String, List<String>> datasetsByNode, List<String> missing, int holders) {}

    private Plan plan(Algorithm algorithm, AnalysisRequest request, RunOptions options, Set<String> lostNodes) {
        DataModel model = catalogue
                .dataModel(request.dataModel())
                .orElseThrow(() -> new Problem(
                        ProblemType.UNKNOWN_DATA,
                        "The data model '" + request.dataModel()
                                + "' is not available. Available: "
                                + (catalogue.available().isEmpty()
                                        ? "none (no started node is connected)"
                                        : String.join(
                                                ", ", catalogue.available().keySet()))));
        if (request.datasets().isEmpty()) {
            throw Problem.badRequest("Choose at least one dataset (inputdata.datasets); GET /datasets lists them");
        }
        Map<String, DataCatalogue.Location> available = catalogue.available(model.id());
        // the datasets of nodes away now, only looked for when a requested dataset is not available
        Map<String, String> elsewhere = null;
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        List<String> down = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        // every node that holds a requested dataset, up or not: the most that could ever contribute
        Set<String> holders = new HashSet<>();
        for (String dataset : new LinkedHashSet<>(request.datasets())) {
            DataCatalogue.Location at = available.get(dataset);
            if (at != null && !lostNodes.contains(at.nodeId())) {
                byNode.computeIfAbsent(at.nodeId(), k -> new ArrayList<>()).add(dataset);
                holders.add(at.nodeId());
            } else if (at != null) {
                down.add(dataset + " on node " + registry.displayName(at.nodeId()) + " (lost during the analysis)");
                missing.add(dataset);
                holders.add(at.nodeId());
            } else {
                if (elsewhere == null) {
                    elsewhere = catalogue.unavailable(model.id());
                }
                if (elsewhere.containsKey(dataset)) {
                    down.add(dataset + " on " + elsewhere.get(dataset));
                    missing.add(dataset);
                    holders.add(elsewhere.get(dataset));
                } else {
                    unknown.add(dataset);
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new Problem(
                    ProblemType.UNKNOWN_DATA,
                    "Unknown dataset(s) " + String.join(", ", unknown) + " in data model " + model.id()
                            + ". Available: " + String.join(", ", available.keySet()));
        }
        if (options.minNodes() > holders.size()) {
            // no wait makes this possible: the caller's mistake (400), not the federation's state (503)
            throw Problem.badRequest(
                    "flags.min_nodes is " + options.minNodes() + ", but the requested datasets are held by "
                            + holders.size() + " node(s) in all, so no more than " + holders.size()
                            + " can ever contribute. Lower min_nodes or add datasets "
                            + "of other nodes (GET /data_models shows which node holds which dataset).");
        }
        if (!down.isEmpty() && !options.allowPartial()) {
            throw new Problem(
                    ProblemType.DATASET_UNAVAILABLE,
                    "These datasets are on nodes that are not available now: " + String.join("; ", down)
                            + ". Try again later, leave them out, or accept a partial result with flags {\"allow_partial\": true}.");
        }
        if (byNode.size() < options.minNodes() || byNode.isEmpty()) {
            throw new Problem(
                    ProblemType.TOO_FEW_NODES,
                    "Only " + byNode.size() + " node(s) with the requested datasets are available"
                            + (down.isEmpty() ? "" : " (unavailable: " + String.join("; ", down) + ")")
                            + ", and the request needs at least "
                            + Math.max(1, options.minNodes()) + ". Try again later.");
        }
        return new Plan(RequestValidator.validate(algorithm, request, model), byNode, missing, holders.size());
    }

    public ExperimentStore experiments() {
        return experiments;
    }

    public Algorithms algorithms() {
        return algorithms;
    }

    public DataCatalogue catalogue() {
        return catalogue;
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
