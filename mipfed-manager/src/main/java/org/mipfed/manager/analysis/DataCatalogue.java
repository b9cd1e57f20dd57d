package org.mipfed.manager.analysis;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.DataModelException;
import org.mipfed.manager.registry.NodeRegistry;
import org.mipfed.manager.registry.NodeSession;
import org.mipfed.manager.state.NodeRecord;
import org.mipfed.proto.v1.DataModelInfo;
import org.mipfed.proto.v1.DatasetInfo;

/**
 * The data the federation can analyse right now: the data models and datasets reported by nodes
 * that are both started (active) and connected (ready), each dataset from the node that owns it
 * only ({@link NodeRegistry#serves}): a second node announcing the same code is not asked for it.
 */
public final class DataCatalogue {
    private final NodeRegistry registry;
    private final Map<String, DataModel> parsed = new ConcurrentHashMap<>();

    public DataCatalogue(NodeRegistry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** A dataset on a node. */
    public record Location(String nodeId, String dataset, String label, long rows) {}

    /** Data model id to dataset code to where it is, over available nodes only. */
    public Map<String, Map<String, Location>> available() {
        return locations(null);
    }

    /**
     * Dataset code to where it is, for one data model over available nodes only: what {@link #available()} holds for
     * it, without building the other data models' maps (an analysis needs its own data model's only).
     */
    public Map<String, Location> available(String dataModelId) {
        requireNonNull(dataModelId, "dataModelId is null");
        return locations(dataModelId).getOrDefault(dataModelId, new TreeMap<>());
    }

    /** Data model id to dataset code to where it is, over available nodes; only data model {@code only}'s if not null. */
    private Map<String, Map<String, Location>> locations(String only) {
        Map<String, Map<String, Location>> out = new TreeMap<>();
        for (NodeRecord node : registry.records()) {
            if (!node.active()) {
                continue;
            }
            Optional<NodeSession> session = registry.session(node.id());
            if (session.isEmpty()) {
                continue;
            }
            for (DataModelInfo m : session.get().dataModels()) {
                String model = id(m);
                if (only != null && !only.equals(model)) {
                    continue;
                }
                Map<String, Location> datasets = out.computeIfAbsent(model, k -> new TreeMap<>());
                for (DatasetInfo d : m.getDatasetsList()) {
                    if (registry.serves(node.id(), model, d.getCode())) {
                        datasets.put(d.getCode(), new Location(node.id(), d.getCode(), d.getLabel(), d.getRows()));
                    }
                }
            }
        }
        return out;
    }

    /** Datasets of a data model that exist on nodes that are not available now, to name them in errors. */
    public Map<String, String> unavailable(String dataModelId) {
        Map<String, String> out = new LinkedHashMap<>();
        unavailableDatasets(dataModelId)
                .forEach((code, away) ->
                        out.put(code, "node " + registry.displayName(away.nodeId()) + " (" + away.why() + ")"));
        return out;
    }

    /**
     * A dataset whose node is not available now.
     *
     * @param why {@code not started} (an admin stopped the node or never started it) or {@code down}
     */
    public record Away(String nodeId, String dataset, String label, String why) {}

    /** Dataset code to where it is, over the nodes that hold it but are not available now (stopped or down). */
    public Map<String, Away> unavailableDatasets(String dataModelId) {
        Map<String, Away> out = new LinkedHashMap<>();
        for (NodeRecord node : registry.records()) {
            boolean available = node.active() && registry.session(node.id()).isPresent();
            if (available) {
                continue;
            }
            String why = !node.active() ? "not started" : "down";
            registry.lastHello(node.id())
                    .ifPresent(h -> h.getDataModelsList().stream()
                            .filter(m -> id(m).equals(dataModelId))
                            .forEach(m -> m.getDatasetsList().stream()
                                    .filter(d -> registry.owner(dataModelId, d.getCode())
                                            .map(node.id()::equals)
                                            .orElse(true))
                                    .forEach(d -> out.put(
                                            d.getCode(), new Away(node.id(), d.getCode(), d.getLabel(), why)))));
        }
        return out;
    }

    /** The data model as reported by an available node. */
    public Optional<DataModel> dataModel(String id) {
        for (NodeRecord node : registry.records()) {
            if (!node.active()) {
                continue;
            }
            Optional<DataModelInfo> info =
                    registry.session(node.id()).map(s -> s.dataModels()).orElse(List.of()).stream()
                            .filter(m -> id(m).equals(id))
                            .findFirst();
            if (info.isPresent()) {
                return Optional.of(parsed.computeIfAbsent(
                        id + "\n" + info.get().getCdesJson().hashCode(), k -> parse(info.get())));
            }
        }
        return Optional.empty();
    }

    /** Every data model of the available nodes. */
    public List<DataModel> dataModels() {
        List<DataModel> out = new ArrayList<>();
        for (String id : available().keySet()) {
            dataModel(id).ifPresent(out::add);
        }
        return out;
    }

    private static DataModel parse(DataModelInfo info) {
        try {
            return DataModel.parse(info.getCdesJson());
        } catch (DataModelException e) {
            throw new IllegalStateException(
                    "a node reported an invalid data model " + id(info) + ": " + e.getMessage(), e);
        }
    }

    static String id(DataModelInfo m) {
        return m.getCode() + ":" + m.getVersion();
    }
}
