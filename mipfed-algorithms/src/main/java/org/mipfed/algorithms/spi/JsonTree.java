package org.mipfed.algorithms.spi;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Transitional, for issue #15 only: a result still built by hand as a JSON tree. Removed when the last algorithm
 * computes into its own record.
 */
public record JsonTree(@JsonValue ObjectNode json) implements AlgorithmResult {
    public JsonTree {
        requireNonNull(json, "json is null");
    }

    @Override
    public ObjectNode toJson() {
        return json;
    }
}
