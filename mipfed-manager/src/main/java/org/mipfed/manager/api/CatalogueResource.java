package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import java.util.Map;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.analysis.DataCatalogue;
import org.mipfed.manager.registry.NodeRegistry;

/**
 * What can be analysed, in Exareme2's shapes: {@code GET /algorithms}, {@code /datasets}, {@code /data_models} and
 * {@code /cdes_metadata}. Only the datasets of started, ready nodes are listed.
 */
final class CatalogueResource implements ApiResource {
    private final AnalysisService analyses;
    private final NodeRegistry registry;

    CatalogueResource(AnalysisService analyses, NodeRegistry registry) {
        this.analyses = requireNonNull(analyses, "analyses is null");
        this.registry = requireNonNull(registry, "registry is null");
    }

    @Override
    public void routes(Javalin app) {
        app.get("/algorithms", ctx -> JsonBodies.write(ctx, algorithms()));
        app.get("/datasets", ctx -> JsonBodies.write(ctx, datasets()));
        app.get("/data_models", ctx -> JsonBodies.write(ctx, dataModels()));
        app.get("/cdes_metadata", ctx -> JsonBodies.write(ctx, cdesMetadata()));
    }

    private ArrayNode algorithms() {
        ArrayNode out = Json.mapper().createArrayNode();
        analyses.algorithms().all().forEach(a -> out.add(a.spec()));
        return out;
    }

    /** Exareme2's shape: data model id to dataset code to label. */
    private ObjectNode datasets() {
        ObjectNode out = Json.mapper().createObjectNode();
        for (Map.Entry<String, Map<String, DataCatalogue.Location>> m :
                analyses.catalogue().available().entrySet()) {
            ObjectNode datasets = out.putObject(m.getKey());
            DataModel model = analyses.catalogue().dataModel(m.getKey()).orElse(null);
            m.getValue()
                    .forEach((code, location) -> datasets.put(
                            code,
                            model != null && model.datasets().containsKey(code)
                                    ? model.datasets().get(code)
                                    : location.label()));
        }
        return out;
    }

    private ArrayNode dataModels() {
        ArrayNode out = Json.mapper().createArrayNode();
        for (Map.Entry<String, Map<String, DataCatalogue.Location>> m :
                analyses.catalogue().available().entrySet()) {
            ObjectNode node = out.addObject();
            node.put("id", m.getKey());
            analyses.catalogue()
                    .dataModel(m.getKey())
                    .ifPresent(d -> node.put("code", d.code())
                            .put("version", d.version())
                            .put("label", d.label()));
            ObjectNode datasets = node.putObject("datasets");
            m.getValue()
                    .forEach((code, location) -> datasets.putObject(code)
                            .put("label", location.label())
                            .put("rows", location.rows())
                            .put("node", registry.displayName(location.nodeId())));
            // what a stopped or down node takes away, so that the portal can say so rather than hide it
            ObjectNode away = node.putObject("unavailable_datasets");
            analyses.catalogue()
                    .unavailableDatasets(m.getKey())
                    .forEach((code, a) -> away.putObject(code)
                            .put("label", a.label())
                            .put("node", registry.displayName(a.nodeId()))
                            .put("why", a.why()));
        }
        return out;
    }

    /** Exareme2's shape: data model id to CDE code to its metadata. */
    private ObjectNode cdesMetadata() {
        ObjectNode out = Json.mapper().createObjectNode();
        for (DataModel model : analyses.catalogue().dataModels()) {
            ObjectNode cdes = out.putObject(model.id());
            for (Cde cde : model.cdes().values()) {
                ObjectNode c = cdes.putObject(cde.code());
                c.put("code", cde.code());
                c.put("label", cde.label());
                c.put("sql_type", cde.sqlType().code());
                c.put("is_categorical", cde.categorical());
                if (cde.categorical()) {
                    ObjectNode e = c.putObject("enumerations");
                    cde.enumerations().forEach(e::put);
                }
                if (cde.min() != null) {
                    c.put("min", cde.min());
                }
                if (cde.max() != null) {
                    c.put("max", cde.max());
                }
                if (cde.units() != null && !cde.units().isBlank()) {
                    c.put("units", cde.units());
                }
                if (cde.description() != null && !cde.description().isBlank()) {
                    c.put("description", cde.description());
                }
                if (cde.group() != null && !cde.group().isBlank()) {
                    c.put("group", cde.group());
                }
            }
        }
        return out;
    }
}
