package org.mipfed.algorithms.preprocessing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mipfed.algorithms.support.AlgorithmSpecs;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.Filters;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.LongitudinalTransform;

/**
 * Exareme2's {@code longitudinal_transformer} preprocessing step, as a request gives it:
 * {@code "preprocessing": {"longitudinal_transformer": {"visit1": "BL", "visit2": "FL1",
 * "strategies": {"lefthippocampus": "diff", "gender": "first"}}}}. Checked here against the data
 * model, the request's variables and the algorithm; carried out by each node, which pairs its
 * subjects' rows of the two visits in SQL before every primitive (subject rows never leave it).
 */
public final class LongitudinalTransformer {
    public static final String NAME = "longitudinal_transformer";
    private static final ObjectNode SPEC = AlgorithmSpecs.load(NAME);

    private LongitudinalTransformer() {}

    /** The spec served with the algorithms it applies to. */
    public static ObjectNode spec() {
        return SPEC.deepCopy();
    }

    /** Whether the step can precede {@code algorithm}. */
    public static boolean compatible(String algorithm) {
        for (JsonNode name : SPEC.path("compatible_algorithms")) {
            if (name.asText().equals(algorithm)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The transformation a request's {@code preprocessing} asks for, or null when it asks for none.
     *
     * @throws Problem 400 naming the step, parameter or variable at fault
     */
    public static LongitudinalTransform parse(
            String algorithm, JsonNode preprocessing, DataModel model, List<String> x, List<String> y, Filter filter) {
        if (preprocessing == null || preprocessing.isNull() || preprocessing.isEmpty()) {
            return null;
        }
        List<String> unknown = new ArrayList<>();
        preprocessing.fieldNames().forEachRemaining(name -> {
            if (!name.equals(NAME)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw Problem.badRequest(
                    "Unknown preprocessing step " + String.join(", ", unknown) + "; the only one is " + NAME);
        }
        if (!compatible(algorithm)) {
            throw Problem.badRequest(
                    NAME + " cannot precede " + algorithm + "; it can precede " + String.join(", ", names()));
        }
        JsonNode step = preprocessing.get(NAME);
        if (step == null || !step.isObject()) {
            throw Problem.badRequest(
                    "'preprocessing." + NAME + "' must be an object with visit1, visit2 and strategies");
        }
        Cde visit = model.cde("visitid");
        if (visit == null || !visit.categorical() || model.cde("subjectid") == null) {
            throw Problem.badRequest(
                    NAME + " pairs each subject's visits, but the data model " + model.id() + " has no subjectid and "
                            + "visitid; use a longitudinal data model (e.g. longitudinal_dementia:0.1)");
        }
        String visit1 = visit(step, "visit1", visit);
        String visit2 = visit(step, "visit2", visit);
        if (visit1.equals(visit2)) {
            throw Problem.badRequest("The parameters visit1 and visit2 of " + NAME
                    + " must be two different visits, not both " + visit1);
        }
        JsonNode strategies = step.get("strategies");
        if (strategies == null || !strategies.isObject()) {
            throw Problem.badRequest(
                    "The parameter strategies of " + NAME + " must be an object of variable: first, second or diff");
        }
        Set<String> requested = new LinkedHashSet<>(x);
        requested.addAll(y);
        Set<String> given = new LinkedHashSet<>();
        strategies.fieldNames().forEachRemaining(given::add);
        if (!given.equals(requested)) {
            Set<String> missing = new LinkedHashSet<>(requested);
            missing.removeAll(given);
            Set<String> extra = new LinkedHashSet<>(given);
            extra.removeAll(requested);
            throw Problem.badRequest(NAME + " needs a strategy for every variable of x and y, and only for those"
                    + (missing.isEmpty() ? "" : "; missing: " + String.join(", ", missing))
                    + (extra.isEmpty() ? "" : "; not in x or y: " + String.join(", ", extra)));
        }
        LongitudinalTransform.Builder transform =
                LongitudinalTransform.newBuilder().setVisit1(visit1).setVisit2(visit2);
        for (Map.Entry<String, JsonNode> entry : strategies.properties()) {
            String variable = entry.getKey();
            String strategy = entry.getValue().asText("");
            if (!List.of("first", "second", "diff").contains(strategy)) {
                throw Problem.badRequest("The strategy of '" + variable + "' in " + NAME
                        + " must be first, second or diff, not '" + strategy + "'");
            }
            Cde cde = model.cde(variable);
            if (strategy.equals("diff") && (cde == null || !cde.numerical())) {
                throw Problem.badRequest(
                        "Cannot take the difference of the nominal variable '" + variable + "'; use first or second");
            }
            transform.putStrategies(variable, strategy);
        }
        Set<String> filtered = new LinkedHashSet<>(Filters.variables(filter));
        filtered.removeAll(given);
        if (!filtered.isEmpty()) {
            throw Problem.badRequest("The filters use " + String.join(", ", filtered) + ", which " + NAME
                    + " does not keep: filters apply to "
                    + "the paired visits, so use only variables of x and y in them");
        }
        return transform.build();
    }

    private static String visit(JsonNode step, String parameter, Cde visit) {
        String value = step.path(parameter).asText("");
        if (!visit.enumerations().containsKey(value)) {
            throw Problem.badRequest("The parameter " + parameter + " of " + NAME + " must be one of the visits "
                    + String.join(", ", visit.enumerations().keySet())
                    + (value.isEmpty() ? "" : ", not '" + value + "'"));
        }
        return value;
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>();
        SPEC.path("compatible_algorithms").forEach(n -> names.add(n.asText()));
        return names;
    }
}
