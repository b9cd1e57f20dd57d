package org.mipfed.core.request;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.SqlType;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterGroup;
import org.mipfed.proto.v1.FilterRule;
import org.mipfed.proto.v1.FilterValue;

/**
 * Reads jQuery-QueryBuilder filters (Exareme2's {@code filters}) into the wire form, checking every
 * variable against the data model and every value against its variable's type. Both the manager
 * (to answer the researcher with a 400) and the node (which trusts no one) use it.
 */
public final class Filters {
    public static final Set<String> OPERATORS = Set.of(
            "equal",
            "not_equal",
            "less",
            "less_or_equal",
            "greater",
            "greater_or_equal",
            "between",
            "not_between",
            "in",
            "not_in",
            "is_null",
            "is_not_null");
    private static final int MAX_DEPTH = 16;
    private static final int MAX_RULES = 256;

    private Filters() {}

    /** Parses filters; returns null when there are none. */
    public static Filter parse(JsonNode filters, DataModel model) {
        if (filters == null || filters.isNull()) {
            return null;
        }
        int[] rules = {0};
        return parseNode(filters, model, "filters", 0, rules);
    }

    private static Filter parseNode(JsonNode node, DataModel model, String path, int depth, int[] rules) {
        if (!node.isObject()) {
            throw Problem.badRequest("The filter at " + path
                    + " must be an object: a group {condition, rules} or a rule {id, operator, value}");
        }
        if (depth > MAX_DEPTH) {
            throw Problem.badRequest("The filters are nested more than " + MAX_DEPTH + " levels deep at " + path);
        }
        if (node.has("rules")) {
            String condition = node.path("condition").asText("AND").toUpperCase(Locale.ROOT);
            if (!condition.equals("AND") && !condition.equals("OR")) {
                throw Problem.badRequest("The condition of the filter group at " + path + " must be AND or OR, not '"
                        + node.path("condition").asText() + "'");
            }
            JsonNode children = node.get("rules");
            if (!children.isArray() || children.isEmpty()) {
                throw Problem.badRequest("The filter group at " + path + " needs a non-empty 'rules' list");
            }
            FilterGroup.Builder group = FilterGroup.newBuilder().setCondition(condition);
            for (int i = 0; i < children.size(); i++) {
                group.addRules(parseNode(children.get(i), model, path + ".rules[" + i + "]", depth + 1, rules));
            }
            return Filter.newBuilder().setGroup(group).build();
        }
        if (++rules[0] > MAX_RULES) {
            throw Problem.badRequest("The filters have more than " + MAX_RULES + " rules");
        }
        return Filter.newBuilder().setRule(parseRule(node, model, path)).build();
    }

    private static FilterRule parseRule(JsonNode node, DataModel model, String path) {
        String variable = node.path("id").asText(node.path("field").asText(""));
        if (variable.isBlank()) {
            throw Problem.badRequest("The filter rule at " + path + " has no 'id' (the variable to filter on)");
        }
        Cde cde = model.cde(variable);
        if (cde == null) {
            throw new Problem(
                    ProblemType.UNKNOWN_DATA,
                    "The filter at " + path + " uses the variable '" + variable + "', which is not in the data model "
                            + model.id());
        }
        String operator = node.path("operator").asText("");
        if (!OPERATORS.contains(operator)) {
            throw Problem.badRequest(
                    "The filter on '" + variable + "' at " + path + " has the operator '" + operator + "'; use one of "
                            + String.join(", ", OPERATORS.stream().sorted().toList()));
        }
        FilterRule.Builder rule = FilterRule.newBuilder().setVariable(variable).setOperator(operator);
        int arity = switch (operator) {
            case "is_null", "is_not_null" -> 0;
            case "between", "not_between" -> 2;
            case "in", "not_in" -> -1;
            default -> 1;
        };
        if (arity == 0) {
            return rule.build();
        }
        JsonNode value = node.get("value");
        Set<JsonNode> values = new LinkedHashSet<>();
        if (value != null && value.isArray()) {
            value.forEach(values::add);
        } else if (value != null && !value.isNull()) {
            values.add(value);
        }
        if (arity > 0
                && values.size() != arity
                && !(arity == 2 && value != null && value.isArray() && value.size() == 2)) {
            throw Problem.badRequest("The filter '" + operator + "' on '" + variable + "' at " + path + " needs "
                    + (arity == 1 ? "one value" : "two values [low, high]"));
        }
        if (arity < 0 && values.isEmpty()) {
            throw Problem.badRequest("The filter '" + operator + "' on '" + variable + "' at " + path
                    + " needs a non-empty list of values");
        }
        Iterable<JsonNode> all = arity == 2 ? value : values;
        for (JsonNode v : all) {
            rule.addValues(value(v, cde, operator, path));
        }
        return rule.build();
    }

    private static FilterValue value(JsonNode v, Cde cde, String operator, String path) {
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw Problem.badRequest("The filter '" + operator + "' on '" + cde.code() + "' at " + path
                    + " has an empty or non-scalar value");
        }
        if (cde.sqlType() == SqlType.TEXT) {
            String text = v.asText();
            if (cde.categorical() && !cde.enumerations().containsKey(text)) {
                throw Problem.badRequest("The filter on '" + cde.code() + "' at " + path + " uses the value '" + text
                        + "', which is not one of its levels: "
                        + String.join(", ", cde.enumerations().keySet()));
            }
            return FilterValue.newBuilder().setText(text).build();
        }
        double number;
        if (v.isNumber()) {
            number = v.doubleValue();
        } else {
            try {
                number = Double.parseDouble(v.asText().trim());
            } catch (NumberFormatException e) {
                throw Problem.badRequest("The filter on '" + cde.code() + "' at " + path
                        + " compares a numerical variable with '" + v.asText() + "', which is not a number");
            }
        }
        if (!Double.isFinite(number)) {
            throw Problem.badRequest(
                    "The filter on '" + cde.code() + "' at " + path + " uses a value that is not a finite number");
        }
        return FilterValue.newBuilder().setNumber(number).build();
    }

    /** Both filters: the rows each selects (a flow's own restriction, as a stratum, under the request's filter). */
    public static Filter and(Filter first, Filter second) {
        return Filter.newBuilder()
                .setGroup(FilterGroup.newBuilder()
                        .setCondition("AND")
                        .addRules(first)
                        .addRules(second))
                .build();
    }

    /** The rows whose {@code variable} is at {@code level} (a level of a nominal variable, as text). */
    public static Filter level(String variable, String level) {
        return Filter.newBuilder()
                .setRule(FilterRule.newBuilder()
                        .setVariable(variable)
                        .setOperator("equal")
                        .addValues(FilterValue.newBuilder().setText(level)))
                .build();
    }

    /** Every variable a filter mentions. */
    public static Set<String> variables(Filter filter) {
        Set<String> out = new LinkedHashSet<>();
        collect(filter, out);
        return out;
    }

    private static void collect(Filter filter, Set<String> out) {
        if (filter == null) {
            return;
        }
        if (filter.hasRule()) {
            out.add(filter.getRule().getVariable());
        } else {
            filter.getGroup().getRulesList().forEach(f -> collect(f, out));
        }
    }
}
