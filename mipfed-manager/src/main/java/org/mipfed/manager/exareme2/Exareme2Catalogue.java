package org.mipfed.manager.exareme2;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.manager.analysis.AnalysisService;
import org.mipfed.manager.analysis.DataCatalogue;
import org.mipfed.manager.registry.NodeRegistry;

/**
 * What the federation offers, in the shapes Exareme2's controller serves them (its {@code algorithm_spec_dtos.py} and
 * {@code endpoints.py}, 0.28 and later) and the portal-backend parses. Every answer is built from the data models and
 * datasets of started, connected nodes at the time of the request: a dataset of a stopped node is in none of them, and
 * the {@code dataset} variable enumerates exactly the datasets held now (not those the CDE file lists).
 */
final class Exareme2Catalogue {
    /** Every algorithm is driven through the same request shape, so the portal may offer all of them. */
    static final String ALGORITHM_TYPE = "exareme2";

    private final AnalysisService analyses;
    private final NodeRegistry registry;

    Exareme2Catalogue(AnalysisService analyses, NodeRegistry registry) {
        this.analyses = requireNonNull(analyses, "analyses is null");
        this.registry = requireNonNull(registry, "registry is null");
    }

    /** {@code GET /algorithms}: {@code [{name, desc, label, inputdata, parameters, preprocessing, flags, type}]}. */
    ArrayNode algorithms() {
        ArrayNode out = Json.mapper().createArrayNode();
        for (Algorithm algorithm : analyses.algorithms().all()) {
            out.add(algorithm(algorithm.spec()));
        }
        return out;
    }

    private static ObjectNode algorithm(ObjectNode spec) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("name", spec.path("name").asText());
        out.put("desc", spec.path("desc").asText(""));
        out.put("label", spec.path("label").asText(spec.path("name").asText()));
        ObjectNode inputdata = out.putObject("inputdata");
        inputdata.set(
                "data_model",
                fixedInput("Data model of the data.", "The data model that the algorithm will run on.", "text", false));
        inputdata.set(
                "datasets",
                fixedInput("Set of data to use.", "The set of data to run the algorithm on.", "text", true));
        ObjectNode filter = fixedInput(
                "Filter on the data.", "A query-builder filter selecting the rows to analyse.", "jsonObject", false);
        filter.put("notblank", false);
        inputdata.set("filter", filter);
        for (String key : List.of("y", "x")) {
            JsonNode rules = spec.path("inputdata").get(key);
            if (rules != null && rules.isObject()) {
                inputdata.set(key, variableInput(rules));
            }
        }
        JsonNode parameters = spec.get("parameters");
        out.set("parameters", parameters != null && parameters.isObject() ? parameters(parameters) : null);
        ArrayNode preprocessing = out.putArray("preprocessing");
        for (JsonNode step : spec.path("preprocessing")) {
            ObjectNode transformer = preprocessing.addObject();
            transformer.put("name", step.path("name").asText());
            transformer.put("desc", step.path("desc").asText(""));
            transformer.put("label", step.path("label").asText(step.path("name").asText()));
            JsonNode stepParameters = step.get("parameters");
            transformer.set(
                    "parameters",
                    stepParameters != null && stepParameters.isObject() ? parameters(stepParameters) : null);
        }
        out.putArray("flags").add("smpc");
        out.put("type", ALGORITHM_TYPE);
        return out;
    }

    /** The inputs Exareme2 adds to every algorithm (data model, datasets, filter). */
    private static ObjectNode fixedInput(String label, String desc, String type, boolean multiple) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("label", label);
        out.put("desc", desc);
        out.putArray("types").add(type);
        out.put("notblank", true);
        out.put("multiple", multiple);
        out.putNull("stattypes");
        out.putNull("enumslen");
        return out;
    }

    private static ObjectNode variableInput(JsonNode rules) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("label", rules.path("label").asText(""));
        out.put("desc", rules.path("desc").asText(""));
        out.set("types", rules.path("types").isArray() ? rules.get("types").deepCopy() : emptyArray());
        out.put("notblank", rules.path("notblank").asBoolean(false));
        out.put("multiple", rules.path("multiple").asBoolean(false));
        out.set(
                "stattypes",
                rules.path("stattypes").isArray() ? rules.get("stattypes").deepCopy() : emptyArray());
        out.set("enumslen", rules.path("enumslen").isNumber() ? rules.get("enumslen") : null);
        return out;
    }

    private static ObjectNode parameters(JsonNode specs) {
        ObjectNode out = Json.mapper().createObjectNode();
        for (Map.Entry<String, JsonNode> e : specs.properties()) {
            JsonNode p = e.getValue();
            ObjectNode parameter = out.putObject(e.getKey());
            parameter.put("label", p.path("label").asText(e.getKey()));
            parameter.put("desc", p.path("desc").asText(""));
            parameter.set("types", p.path("types").isArray() ? p.get("types").deepCopy() : emptyArray());
            parameter.put("notblank", p.path("notblank").asBoolean(false));
            parameter.put("multiple", p.path("multiple").asBoolean(false));
            parameter.set("default", p.has("default") ? portalDefault(p.get("default")) : null);
            for (String enums : List.of("enums", "dict_keys_enums", "dict_values_enums")) {
                parameter.set(enums, p.path(enums).isObject() ? p.get(enums).deepCopy() : null);
            }
            parameter.set("min", p.path("min").isNumber() ? p.get("min") : null);
            parameter.set("max", p.path("max").isNumber() ? p.get("max") : null);
        }
        return out;
    }

    /**
     * A default as the portal-backend reads it: a scalar stays as it is (its DTO holds text, and a number or a
     * boolean reads as text), a list of values becomes them separated by commas (as a parameter with several values
     * is typed), anything else its JSON text; a list or an object there would fail the backend's parsing of the whole
     * catalogue.
     */
    private static JsonNode portalDefault(JsonNode value) {
        if (value.isValueNode()) {
            return value.deepCopy();
        }
        if (value.isArray()) {
            List<String> items = new java.util.ArrayList<>();
            value.forEach(item -> items.add(item.isValueNode() ? item.asText() : item.toString()));
            return Json.mapper().getNodeFactory().textNode(String.join(",", items));
        }
        return Json.mapper().getNodeFactory().textNode(value.toString());
    }

    private static ArrayNode emptyArray() {
        return Json.mapper().createArrayNode();
    }

    /** The datasets held now, by data model id, each with its label: the {@code dataset} variable's enumerations. */
    private Map<DataModel, Map<String, String>> heldDatasets() {
        Map<DataModel, Map<String, String>> out = new LinkedHashMap<>();
        DataCatalogue catalogue = analyses.catalogue();
        for (Map.Entry<String, Map<String, DataCatalogue.Location>> m :
                catalogue.available().entrySet()) {
            DataModel model = catalogue.dataModel(m.getKey()).orElse(null);
            if (model == null || m.getValue().isEmpty()) {
                continue;
            }
            Map<String, String> datasets = new LinkedHashMap<>();
            m.getValue().forEach((code, location) -> {
                String label = model.datasets().get(code);
                datasets.put(code, label != null ? label : location.label());
            });
            out.put(model, datasets);
        }
        return out;
    }

    /** {@code GET /cdes_metadata}: data model id to variable code to {@code {code, label, sql_type, ...}}. */
    ObjectNode cdesMetadata() {
        ObjectNode out = Json.mapper().createObjectNode();
        heldDatasets().forEach((model, datasets) -> {
            ObjectNode cdes = out.putObject(model.id());
            for (Cde cde : model.cdes().values()) {
                ObjectNode c = cdes.putObject(cde.code());
                c.put("code", cde.code());
                c.put("label", cde.label());
                c.put("sql_type", cde.sqlType().code());
                c.put("is_categorical", cde.categorical());
                if (cde.categorical()) {
                    ObjectNode enumerations = c.putObject("enumerations");
                    (cde.code().equals(DataModel.DATASET) ? datasets : cde.enumerations()).forEach(enumerations::put);
                } else {
                    c.putNull("enumerations");
                }
                putNumber(c, "min", cde.min());
                putNumber(c, "max", cde.max());
            }
        });
        return out;
    }

    /**
     * {@code GET /data_models_attributes}: data model id to {@code {"tags": [], "properties": {"cdes": [hierarchy]}}},
     * the hierarchy being the data model's groups and variables as its CDE file orders them.
     */
    ObjectNode dataModelsAttributes() {
        ObjectNode out = Json.mapper().createObjectNode();
        heldDatasets().forEach((model, datasets) -> {
            JsonNode source;
            try {
                source = Json.mapper().readTree(model.json());
            } catch (JsonProcessingException e) {
                // DataModel.parse read this very text: it is JSON
                throw new IllegalStateException(e);
            }
            ObjectNode hierarchy = Json.mapper().createObjectNode();
            hierarchy.put("code", model.code());
            hierarchy.put("version", model.version());
            hierarchy.put("label", model.label());
            hierarchy.put("longitudinal", source.path("longitudinal").asBoolean(false));
            fillGroup(hierarchy, source, model, datasets);
            ObjectNode attributes = out.putObject(model.id());
            attributes.putArray("tags");
            attributes.putObject("properties").putArray("cdes").add(hierarchy);
        });
        return out;
    }

    private static void fillGroup(ObjectNode into, JsonNode source, DataModel model, Map<String, String> datasets) {
        ArrayNode variables = into.putArray("variables");
        for (JsonNode v : source.path("variables")) {
            Cde cde = model.cde(v.path("code").asText());
            if (cde != null) {
                variables.add(variable(cde, datasets));
            }
        }
        ArrayNode groups = into.putArray("groups");
        for (JsonNode g : source.path("groups")) {
            ObjectNode group = groups.addObject();
            group.put("code", g.path("code").asText());
            group.put("label", g.path("label").asText(g.path("code").asText()));
            fillGroup(group, g, model, datasets);
        }
    }

    /** A variable as the hierarchy lists it: enumerations as {@code [{code, label}]}. */
    private static ObjectNode variable(Cde cde, Map<String, String> datasets) {
        ObjectNode c = Json.mapper().createObjectNode();
        c.put("code", cde.code());
        c.put("label", cde.label());
        c.put("description", cde.description());
        c.put("sql_type", cde.sqlType().code());
        c.put("is_categorical", cde.categorical());
        if (cde.categorical()) {
            ArrayNode enumerations = c.putArray("enumerations");
            (cde.code().equals(DataModel.DATASET) ? datasets : cde.enumerations())
                    .forEach((code, label) ->
                            enumerations.addObject().put("code", code).put("label", label));
        }
        putNumber(c, "min", cde.min());
        putNumber(c, "max", cde.max());
        if (cde.units() != null && !cde.units().isBlank()) {
            c.put("units", cde.units());
        }
        c.put("type", cde.categorical() ? "nominal" : cde.sqlType().code());
        return c;
    }

    private static void putNumber(ObjectNode node, String field, Double value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    /**
     * {@code GET /datasets_variables}: data model id to dataset to its variables. A node stores every variable of the
     * data model for each of its datasets (the import checks the CSV against the data model), so each dataset lists
     * the data model's variables; which ones hold values in a dataset is not released.
     */
    ObjectNode datasetsVariables() {
        ObjectNode out = Json.mapper().createObjectNode();
        heldDatasets().forEach((model, datasets) -> {
            ObjectNode byDataset = out.putObject(model.id());
            for (String dataset : datasets.keySet()) {
                ArrayNode variables = byDataset.putArray(dataset);
                model.variableCodes().forEach(variables::add);
            }
        });
        return out;
    }

    /** {@code GET /datasets}: data model id to the codes of its datasets held now. */
    ObjectNode datasets() {
        ObjectNode out = Json.mapper().createObjectNode();
        heldDatasets().forEach((model, datasets) -> {
            ArrayNode codes = out.putArray(model.id());
            datasets.keySet().forEach(codes::add);
        });
        return out;
    }

    /** {@code GET /datasets_locations}: data model id to dataset to the node that holds it (its alias). */
    ObjectNode datasetsLocations() {
        ObjectNode out = Json.mapper().createObjectNode();
        for (Map.Entry<String, Map<String, DataCatalogue.Location>> m :
                analyses.catalogue().available().entrySet()) {
            if (m.getValue().isEmpty()) {
                continue;
            }
            ObjectNode locations = out.putObject(m.getKey());
            m.getValue().forEach((code, location) -> locations.put(code, registry.displayName(location.nodeId())));
        }
        return out;
    }
}
