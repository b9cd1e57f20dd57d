package org.mipfed.algorithms.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What an algorithm computes: a record whose components are the fields of Exareme2's output for it. Components are
 * named in Java's camelCase and written in snake_case ({@code pValues} as {@code p_values}); where Exareme2's name is
 * not the snake_case of a Java name, the component says so with {@code @JsonProperty}. {@link ResultWriter} is the one
 * place that turns a result into JSON.
 */
public interface AlgorithmResult {
    /** This result in Exareme2's output shape. */
    default ObjectNode toJson() {
        return ResultWriter.toJson(this);
    }
}
