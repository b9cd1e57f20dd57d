package org.mipfed.algorithms;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mipfed.algorithms.preprocessing.LongitudinalTransformer;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.SqlType;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.core.request.Filters;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.LongitudinalTransform;

/**
 * Checks an analysis request against its algorithm's spec (Exareme2's {@code inputdata} rules: required,
 * single or multiple, allowed sql types and stat types per variable; and {@code parameters}) and
 * against the data model, before anything is asked of a node. Every refusal is a 400 whose message
 * says, in the researcher's terms, what to change.
 *
 * <p>Which datasets exist on which started node is the manager's knowledge, not checked here.
 */
public final class RequestValidator {
    private static final String NUMERICAL = "numerical";
    private static final String NOMINAL = "nominal";

    private RequestValidator() {}

    /**
     * Validates {@code request} for {@code algorithm} on {@code model} and returns the input to run.
     *
     * @throws Problem 400 when the request breaks a rule of the spec or the data model
     */
    public static AnalysisInput validate(Algorithm algorithm, AnalysisRequest request, DataModel model) {
        requireNonNull(algorithm, "algorithm is null");
        requireNonNull(request, "request is null");
        requireNonNull(model, "model is null");
        if (!request.dataModel().equals(model.id())) {
            throw Problem.badRequest(
                    "The request is for the data model '" + request.dataModel() + "', not " + model.id());
        }
        if (request.datasets().isEmpty()) {
            throw Problem.badRequest(algorithm.name() + " needs at least one dataset of " + model.id()
                    + " in inputdata.datasets (see GET /datasets)");
        }
        List<String> datasets = new ArrayList<>(new LinkedHashSet<>(request.datasets()));
        // only read here (ParameterValidator copies the defaults it takes)
        ObjectNode spec = algorithm.specToRead();
        checkVariables(algorithm.name(), spec, model, request.x(), request.y());
        Filter filter = Filters.parse(request.filters(), model);
        ObjectNode parameters =
                ParameterValidator.check(algorithm.name(), spec, request.parameters(), model, request.x(), request.y());
        LongitudinalTransform longitudinal = LongitudinalTransformer.parse(
                algorithm.name(), request.preprocessing(), model, request.x(), request.y(), filter);
        return new AnalysisInput(model, datasets, request.x(), request.y(), filter, parameters, longitudinal);
    }

    /**
     * Checks y and x against the spec's {@code inputdata} rules.
     *
     * @throws Problem 400 naming the variable and what the algorithm needs instead
     */
    public static void checkVariables(
            String algorithm, ObjectNode spec, DataModel model, List<String> x, List<String> y) {
        JsonNode inputdata = spec.path("inputdata");
        check(algorithm, "y", inputdata.get("y"), model, y);
        check(algorithm, "x", inputdata.get("x"), model, x);
    }

    /** "numerical" or "nominal"; null for free text, which no algorithm can analyse. */
    public static String statType(Cde cde) {
        if (cde.categorical()) {
            return NOMINAL;
        }
        return cde.sqlType() == SqlType.TEXT ? null : NUMERICAL;
    }

    private static void check(String algorithm, String key, JsonNode rules, DataModel model, List<String> values) {
        if (rules == null || rules.isNull()) {
            if (!values.isEmpty()) {
                throw Problem.badRequest(
                        algorithm + " takes no " + key + " variables; remove " + quoted(values) + " from " + key);
            }
            return;
        }
        boolean multiple = rules.path("multiple").asBoolean(false);
        if (values.isEmpty()) {
            if (rules.path("notblank").asBoolean(false)) {
                String desc = rules.path("desc").asText("").trim();
                throw Problem.badRequest(algorithm + " needs " + (multiple ? "at least one " : "a ")
                        + noun(key, rules, false) + (desc.length() > key.length() ? ": " + desc : ""));
            }
            return;
        }
        if (!multiple && values.size() > 1) {
            throw Problem.badRequest(algorithm + " takes one " + noun(key, rules, false) + ", not " + values.size()
                    + " (" + quoted(values) + ")");
        }
        Set<String> seen = new HashSet<>();
        Set<String> statTypes = strings(rules.get("stattypes"));
        Set<String> types = strings(rules.get("types"));
        for (String variable : values) {
            if (!seen.add(variable)) {
                throw Problem.badRequest("'" + variable + "' is listed twice in " + key + "; list each variable once");
            }
            Cde cde = model.cde(variable);
            if (cde == null) {
                throw new Problem(
                        ProblemType.UNKNOWN_DATA,
                        "The variable '" + variable + "' (in " + key + ") is not in the data model " + model.id()
                                + "; see GET /cdes_metadata for its variables");
            }
            String statType = statType(cde);
            if (!statTypes.isEmpty() && (statType == null || !statTypes.contains(statType))) {
                throw Problem.badRequest(algorithm + " needs " + kind(String.join(" or ", statTypes), multiple) + " "
                        + noun(key, rules, multiple) + "; '" + variable + "' is "
                        + (statType == null ? "free text" : statType));
            }
            String sqlType = cde.sqlType().code();
            // As in Exareme2, a spec that takes real numbers takes integers too.
            boolean typeAllowed = types.isEmpty()
                    || types.contains(sqlType)
                    || (types.contains("real") && cde.sqlType() == SqlType.INT);
            if (!typeAllowed) {
                throw Problem.badRequest(algorithm + " needs " + (multiple ? "" : "a ") + noun(key, rules, multiple)
                        + " of type " + String.join(" or ", types) + "; '" + variable + "' is of type " + sqlType);
            }
        }
    }

    /** "dependent variable (y)", "covariates (x)"... */
    private static String noun(String key, JsonNode rules, boolean plural) {
        String label = rules.path("label").asText("").toLowerCase(Locale.ROOT);
        String base = switch (key) {
            case "y" ->
                label.contains("dependent") && !label.contains("independent") ? "dependent variable" : "variable";
            case "x" -> "covariate";
            default -> "variable";
        };
        return base + (plural ? "s" : "") + " (" + key + ")";
    }

    private static String kind(String adjective, boolean plural) {
        if (plural) {
            return adjective;
        }
        return ("aeiou".indexOf(adjective.charAt(0)) >= 0 ? "an " : "a ") + adjective;
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> out = new LinkedHashSet<>();
        if (array != null && array.isArray()) {
            array.forEach(value -> out.add(value.asText()));
        }
        return out;
    }

    private static String quoted(List<String> values) {
        return "'" + String.join("', '", values) + "'";
    }
}
