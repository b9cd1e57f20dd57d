package org.mipfed.algorithms.support;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Builds result JSON. Non-finite numbers become null: JSON has no NaN or Infinity, and Jackson would
 * otherwise write tokens that no client can parse.
 */
public final class ResultJson {
    private static final JsonNodeFactory FACTORY = JsonNodeFactory.instance;

    private ResultJson() {
    }

    public static ObjectNode object() {
        return FACTORY.objectNode();
    }

    public static ArrayNode array() {
        return FACTORY.arrayNode();
    }

    /** Puts {@code value}, or null when it is NaN or infinite. */
    public static ObjectNode put(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        }
        else {
            node.putNull(field);
        }
        return node;
    }

    /** An array of numbers, with null for each NaN or infinite value. */
    public static ArrayNode numbers(double[] values) {
        ArrayNode array = FACTORY.arrayNode(values.length);
        for (double value : values) {
            if (Double.isFinite(value)) {
                array.add(value);
            }
            else {
                array.addNull();
            }
        }
        return array;
    }

    public static ArrayNode strings(List<String> values) {
        ArrayNode array = FACTORY.arrayNode(values.size());
        values.forEach(array::add);
        return array;
    }
}
