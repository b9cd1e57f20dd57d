package org.mipfed.manager.analysis;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.mipfed.algorithms.Algorithm;
import org.mipfed.algorithms.AnalysisInput;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.registry.NodeRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis path on the manager: validate the request, find the nodes holding its datasets,
 * run the algorithm's flow over them and keep the experiment.
 */
public final class AnalysisService {
    private static final Logger LOG = LoggerFactory.getLogger(AnalysisService.class);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private final NodeRegistry registry;
    private final DataCatalogue catalogue;
    private final ExperimentStore experiments;
    private final Algorithms algorithms;

    public AnalysisService(NodeRegistry registry, DataCatalogue catalogue, ExperimentStore experiments, Algorithms algorithms) {
        this.registry = requireNonNull(registry, "registry is null");
        this.catalogue = requireNonNull(catalogue, "catalogue is null");
        this.experiments = requireNonNull(experiments, "experiments is null");
        this.algorithms = requireNonNull(algorithms, "algorithms is null");
    }

    /** Runs an analysis synchronously and returns its result in Exareme2's shape. */
    public ObjectNode run(String algorithmName, AnalysisRequest request, String user) {
        Algorithm algorithm = algorithms.get(algorithmName);
        Instant started = Instant.now();
        String id = UUID.randomUUID().toString();
        ObjectNode body = request.toJson();
        try {
            Plan plan = plan(algorithm, request);
            SessionFederation federation = new SessionFederation(registry, plan.input().dataModel(), plan.input().filter(),
                    plan.datasetsByNode(), user, DEFAULT_TIMEOUT);
            ObjectNode result = algorithm.run(plan.input(), federation);
            List<Experiment.Contribution> contributions = new ArrayList<>();
            plan.datasetsByNode().forEach((node, datasets) -> contributions.add(
                    new Experiment.Contribution(registry.displayName(node), datasets, federation.rowsByNode().getOrDefault(node, 0L))));
            result.set("contributing_nodes", Json.mapper().valueToTree(contributions));
            experiments.save(new Experiment(id, algorithmName, user, body, "success", result, null, contributions, started, Instant.now()));
            LOG.info("{} by {} on {} node(s) in {} ms", algorithmName, user, contributions.size(), Duration.between(started, Instant.now()).toMillis());
            return result;
        }
        catch (Problem p) {
            ObjectNode error = Json.mapper().createObjectNode().put("status", p.status()).put("title", p.title()).put("detail", p.detail());
            experiments.save(new Experiment(id, algorithmName, user, body, "error", null, error, List.of(), started, Instant.now()));
            throw p;
        }
    }

    private record Plan(AnalysisInput input, Map<String, List<String>> datasetsByNode) {
    }

    private Plan plan(Algorithm algorithm, AnalysisRequest request) {
        DataModel model = catalogue.dataModel(request.dataModel()).orElseThrow(() -> Problem.badRequest(
                "The data model '" + request.dataModel() + "' is not available. Available: "
                        + (catalogue.available().isEmpty() ? "none (no started node is connected)" : String.join(", ", catalogue.available().keySet()))));
        if (request.datasets().isEmpty()) {
            throw Problem.badRequest("Choose at least one dataset (inputdata.datasets); GET /datasets lists them");
        }
        Map<String, DataCatalogue.Location> available = catalogue.available().getOrDefault(model.id(), Map.of());
        Map<String, String> elsewhere = catalogue.unavailable(model.id());
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (String dataset : new LinkedHashSet<>(request.datasets())) {
            DataCatalogue.Location at = available.get(dataset);
            if (at != null) {
                byNode.computeIfAbsent(at.nodeId(), k -> new ArrayList<>()).add(dataset);
            }
            else if (elsewhere.containsKey(dataset)) {
                down.add(dataset + " on " + elsewhere.get(dataset));
            }
            else {
                unknown.add(dataset);
            }
        }
        if (!unknown.isEmpty()) {
            throw Problem.badRequest("Unknown dataset(s) " + String.join(", ", unknown) + " in data model " + model.id()
                    + ". Available: " + String.join(", ", available.keySet()));
        }
        if (!down.isEmpty()) {
            throw new Problem(503, "Datasets unavailable", "These datasets are on nodes that are not available now: " + String.join("; ", down)
                    + ". Try again later, or leave them out.");
        }
        return new Plan(RequestValidator.validate(algorithm, request, model), byNode);
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
}
