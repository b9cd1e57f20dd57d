package org.mipfed.algorithms.pca;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mipfed.core.problem.Problem;

/**
 * The {@code data_transformation} parameter of {@code pca_with_transformation}: lists of variables to
 * transform, keyed by method. {@code log} and {@code exp} change each value, so the nodes apply them
 * per row; {@code center} and {@code standardize} are affine, so the manager applies them to the
 * pooled moments (where, before a PCA of standardized variables, they change nothing but can fail).
 *
 * @param perRow "log" or "exp" by variable
 * @param centred the variables to centre
 * @param standardized the variables to standardize
 */
record DataTransformation(Map<String, String> perRow, Set<String> centred, Set<String> standardized) {
    static final String LOG = "log";
    static final String EXP = "exp";
    static final String CENTER = "center";
    static final String STANDARDIZE = "standardize";
    private static final List<String> METHODS = List.of(LOG, EXP, CENTER, STANDARDIZE);

    DataTransformation {
        perRow = Map.copyOf(perRow);
        centred = Set.copyOf(centred);
        standardized = Set.copyOf(standardized);
    }

    static DataTransformation none() {
        return new DataTransformation(Map.of(), Set.of(), Set.of());
    }

    /**
     * Reads the parameter (an object, or null/missing for none).
     *
     * @throws Problem 400 for an unknown method, a list that is not of names, a variable that is not
     *     one of {@code variables}, or one asked both its log and its exp
     */
    static DataTransformation parse(JsonNode parameter, List<String> variables) {
        if (parameter == null || parameter.isNull() || parameter.isMissingNode()) {
            return none();
        }
        if (!parameter.isObject()) {
            throw Problem.badRequest("The parameter 'data_transformation' must map transformations ("
                    + String.join(", ", METHODS) + ") to lists of variables, e.g. {\"log\": [\""
                    + (variables.isEmpty() ? "x" : variables.get(0)) + "\"]}");
        }
        Map<String, String> perRow = new LinkedHashMap<>();
        Set<String> centred = new LinkedHashSet<>();
        Set<String> standardized = new LinkedHashSet<>();
        for (Map.Entry<String, JsonNode> entry : parameter.properties()) {
            String method = entry.getKey();
            if (!METHODS.contains(method)) {
                throw Problem.badRequest("Unknown transformation: " + method + ". The transformations are "
                        + String.join(", ", METHODS));
            }
            for (String variable : names(method, entry.getValue(), variables)) {
                switch (method) {
                    case LOG, EXP -> {
                        String other = perRow.putIfAbsent(variable, method);
                        if (other != null && !other.equals(method)) {
                            throw Problem.badRequest(
                                    "The variable '" + variable + "' is listed under both log and exp, which undo each "
                                            + "other; list it under one of them");
                        }
                    }
                    case CENTER -> centred.add(variable);
                    default -> standardized.add(variable);
                }
            }
        }
        return new DataTransformation(perRow, centred, standardized);
    }

    private static List<String> names(String method, JsonNode list, List<String> variables) {
        if (!list.isArray()) {
            throw Problem.badRequest(
                    "The variables of the " + method + " transformation must be a list of names, not " + list);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode name : list) {
            if (!name.isTextual()) {
                throw Problem.badRequest(
                        "The variables of the " + method + " transformation must be names, not " + name);
            }
            if (!variables.contains(name.asText())) {
                throw Problem.badRequest("The variable '" + name.asText() + "' of the " + method
                        + " transformation is not one of the " + "variables (y): " + String.join(", ", variables)
                        + "; add it to y or remove it from " + method);
            }
            out.add(name.asText());
        }
        return out;
    }

    /** The per-row transformation of each variable, in order: "log", "exp" or "" (none). */
    List<String> perRow(List<String> variables) {
        return variables.stream().map(v -> perRow.getOrDefault(v, "")).toList();
    }
}
