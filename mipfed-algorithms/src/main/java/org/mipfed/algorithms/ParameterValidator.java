package org.mipfed.algorithms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;

/**
 * Checks request parameters against a spec's {@code parameters} (types, bounds, enumerations) and
 * fills in defaults, so that a flow reads typed values and never has to guess.
 */
final class ParameterValidator {
    private ParameterValidator() {}

    static ObjectNode check(
            String algorithm, ObjectNode spec, ObjectNode given, DataModel model, List<String> x, List<String> y) {
        JsonNode specs = spec.path("parameters");
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        List<String> known = new ArrayList<>();
        specs.fieldNames().forEachRemaining(known::add);
        for (Iterator<String> names = given.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!specs.has(name)) {
                throw Problem.badRequest(algorithm + " has no parameter '" + name + "'"
                        + (known.isEmpty() ? "; it takes none" : "; its parameters are: " + String.join(", ", known)));
            }
        }
        for (Map.Entry<String, JsonNode> entry : specs.properties()) {
            String name = entry.getKey();
            JsonNode rules = entry.getValue();
            JsonNode value = given.get(name);
            boolean fromDefault = false;
            if (value == null || value.isNull()) {
                // a copy: the spec is shared by every request, and the parameters returned may be changed
                value = rules.get("default") == null
                        ? null
                        : rules.get("default").deepCopy();
                fromDefault = true;
            }
            if (value == null || value.isNull()) {
                if (rules.path("notblank").asBoolean(false)) {
                    throw Problem.badRequest(algorithm + " needs the parameter '" + name + "' ("
                            + rules.path("label").asText(name) + "): "
                            + rules.path("desc").asText(""));
                }
                continue;
            }
            if (rules.path("multiple").asBoolean(false)) {
                if (!value.isArray()) {
                    throw Problem.badRequest("The parameter '" + name + "' of " + algorithm + " must be a list");
                }
                ArrayNode values = out.putArray(name);
                for (JsonNode element : value) {
                    values.add(checkValue(algorithm, name, rules, element, fromDefault, model, x, y));
                }
            } else {
                out.set(name, checkValue(algorithm, name, rules, value, fromDefault, model, x, y));
            }
        }
        return out;
    }

    private static JsonNode checkValue(
            String algorithm,
            String name,
            JsonNode rules,
            JsonNode value,
            boolean fromDefault,
            DataModel model,
            List<String> x,
            List<String> y) {
        JsonNode typed = typed(rules.path("types"), value, fromDefault);
        if (typed == null) {
            throw Problem.badRequest("The parameter '" + name + "' of " + algorithm + " must be of type "
                    + String.join(" or ", texts(rules.path("types"))) + ", not " + value);
        }
        if (typed.isNumber()) {
            double number = typed.doubleValue();
            if (rules.hasNonNull("min") && number < rules.get("min").doubleValue()) {
                throw Problem.badRequest("The parameter '" + name + "' of " + algorithm + " must be at least "
                        + rules.get("min") + ", not " + typed);
            }
            if (rules.hasNonNull("max") && number > rules.get("max").doubleValue()) {
                throw Problem.badRequest("The parameter '" + name + "' of " + algorithm + " must be at most "
                        + rules.get("max") + ", not " + typed);
            }
        }
        List<String> allowed = allowed(rules.path("enums"), model, x, y);
        if (allowed != null && !allowed.contains(typed.asText())) {
            throw Problem.badRequest("The parameter '" + name + "' of " + algorithm + " must be one of "
                    + String.join(", ", allowed) + ", not " + typed.asText());
        }
        return typed;
    }

    /** The value as the first spec type it fits, or null. Defaults are lenient: Exareme2 specs write some as strings. */
    private static JsonNode typed(JsonNode types, JsonNode value, boolean lenient) {
        List<String> names = texts(types);
        if (names.isEmpty()) {
            return value;
        }
        for (String type : names) {
            switch (type) {
                case "int" -> {
                    if (value.isIntegralNumber()
                            || (value.isNumber() && value.doubleValue() == Math.rint(value.doubleValue()))) {
                        return LongNode.valueOf(value.longValue());
                    }
                    if (lenient && value.isTextual() && value.asText().trim().matches("-?\\d+")) {
                        return LongNode.valueOf(Long.parseLong(value.asText().trim()));
                    }
                }
                case "real" -> {
                    if (value.isNumber()) {
                        return DoubleNode.valueOf(value.doubleValue());
                    }
                    if (lenient && value.isTextual()) {
                        try {
                            return DoubleNode.valueOf(
                                    Double.parseDouble(value.asText().trim()));
                        } catch (NumberFormatException e) {
                            // not a number: try the next type
                        }
                    }
                }
                case "text" -> {
                    if (value.isTextual()) {
                        return value;
                    }
                }
                case "dict" -> {
                    if (value.isObject()) {
                        return value;
                    }
                }
                case "boolean" -> {
                    if (value.isBoolean()) {
                        return value;
                    }
                    if (lenient && value.isTextual() && value.asText().matches("(?i)true|false")) {
                        return BooleanNode.valueOf(Boolean.parseBoolean(value.asText()));
                    }
                }
                default -> {
                    return value.isValueNode() ? TextNode.valueOf(value.asText()) : null;
                }
            }
        }
        return null;
    }

    /** The allowed values from a spec's {@code enums}, or null when any value goes. */
    private static List<String> allowed(JsonNode enums, DataModel model, List<String> x, List<String> y) {
        if (enums.isMissingNode() || enums.isNull()) {
            return null;
        }
        List<String> sources = enums.path("source").isArray()
                ? texts(enums.path("source"))
                : List.of(enums.path("source").asText());
        switch (enums.path("type").asText()) {
            case "list":
                return sources;
            case "input_var_CDE_enums": {
                // The levels of the (single) variable given in x or y.
                List<String> variables = sources.contains("x") ? x : y;
                Cde cde = variables.isEmpty() ? null : model.cde(variables.get(0));
                return cde == null ? null : new ArrayList<>(cde.enumerations().keySet());
            }
            case "fixed_var_CDE_enums": {
                Cde cde = sources.isEmpty() ? null : model.cde(sources.get(0));
                return cde == null ? null : new ArrayList<>(cde.enumerations().keySet());
            }
            case "input_var_names": {
                List<String> names = new ArrayList<>();
                if (sources.contains("x")) {
                    names.addAll(x);
                }
                if (sources.contains("y")) {
                    names.addAll(y);
                }
                return names;
            }
            default:
                return null;
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(value -> out.add(value.asText()));
        }
        return out;
    }
}
