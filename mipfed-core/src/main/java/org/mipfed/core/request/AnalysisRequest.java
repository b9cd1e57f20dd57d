package org.mipfed.core.request;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.core.problem.Problem;

/**
 * An analysis request in Exareme2's shape:
 * {@code {"inputdata": {"data_model", "datasets", "x", "y", "filters"}, "parameters": {}, "flags": {},
 * "preprocessing": {}}}.
 *
 * @param preprocessing Exareme2's preprocessing steps by name (e.g. {@code longitudinal_transformer}),
 *     or null
 */
public record AnalysisRequest(
        String dataModel,
        List<String> datasets,
        List<String> x,
        List<String> y,
        JsonNode filters,
        ObjectNode parameters,
        ObjectNode flags,
        ObjectNode preprocessing) {
    public AnalysisRequest {
        requireNonNull(dataModel, "dataModel is null");
        datasets = List.copyOf(datasets);
        x = List.copyOf(x);
        y = List.copyOf(y);
        parameters = parameters == null ? JsonNodeFactory.instance.objectNode() : parameters;
        flags = flags == null ? JsonNodeFactory.instance.objectNode() : flags;
    }

    /** A request without preprocessing. */
    public AnalysisRequest(
            String dataModel,
            List<String> datasets,
            List<String> x,
            List<String> y,
            JsonNode filters,
            ObjectNode parameters,
            ObjectNode flags) {
        this(dataModel, datasets, x, y, filters, parameters, flags, null);
    }

    /** Reads a request body; a malformed body is the caller's mistake (400) and the message says which field. */
    public static AnalysisRequest fromJson(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw Problem.badRequest(
                    "The request body must be a JSON object with 'inputdata' (data_model, datasets, x, y, filters) and optional 'parameters'");
        }
        JsonNode input = body.get("inputdata");
        if (input == null || !input.isObject()) {
            throw Problem.badRequest(
                    "The request body needs an 'inputdata' object with data_model, datasets, y and optionally x and filters");
        }
        JsonNode model = input.get("data_model");
        if (model == null || !model.isTextual() || model.asText().isBlank()) {
            throw Problem.badRequest(
                    "'inputdata.data_model' is required, e.g. \"dementia:0.1\" (see GET /data_models or GET /cdes_metadata)");
        }
        JsonNode filters = input.get("filters");
        if (filters != null
                && (filters.isNull() || (filters.isTextual() && filters.asText().isBlank()))) {
            filters = null;
        }
        JsonNode parameters = body.get("parameters");
        if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
            throw Problem.badRequest("'parameters' must be a JSON object of name: value");
        }
        JsonNode flags = body.get("flags");
        if (flags != null && !flags.isNull() && !flags.isObject()) {
            throw Problem.badRequest("'flags' must be a JSON object");
        }
        JsonNode preprocessing = body.get("preprocessing");
        if (preprocessing != null && !preprocessing.isNull() && !preprocessing.isObject()) {
            throw Problem.badRequest(
                    "'preprocessing' must be a JSON object of step name: its parameters, e.g. {\"longitudinal_transformer\": "
                            + "{\"visit1\": \"BL\", \"visit2\": \"FL1\", \"strategies\": {...}}}");
        }
        return new AnalysisRequest(
                model.asText().trim(),
                strings(input, "datasets"),
                strings(input, "x"),
                strings(input, "y"),
                filters,
                parameters instanceof ObjectNode p ? p : null,
                flags instanceof ObjectNode f ? f : null,
                preprocessing instanceof ObjectNode p && !p.isEmpty() ? p : null);
    }

    private static List<String> strings(JsonNode input, String field) {
        JsonNode node = input.get(field);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            throw Problem.badRequest("'inputdata." + field + "' must be a list of strings");
        }
        for (JsonNode value : node) {
            if (!value.isTextual() || value.asText().isBlank()) {
                throw Problem.badRequest(
                        "'inputdata." + field + "' must contain only non-empty strings; found " + value);
            }
            values.add(value.asText().trim());
        }
        return values;
    }

    public ObjectNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode input = root.putObject("inputdata");
        input.put("data_model", dataModel);
        datasets.forEach(input.putArray("datasets")::add);
        x.forEach(input.putArray("x")::add);
        y.forEach(input.putArray("y")::add);
        input.set("filters", filters);
        root.set("parameters", parameters);
        root.set("flags", flags);
        if (preprocessing != null) {
            root.set("preprocessing", preprocessing);
        }
        return root;
    }
}
