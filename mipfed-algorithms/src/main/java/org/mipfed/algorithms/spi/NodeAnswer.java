package org.mipfed.algorithms.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * One node's answer to a primitive.
 *
 * @param node the node's alias (or id when it has none)
 * @param datasets the datasets the node computed over
 */
public record NodeAnswer(String node, List<String> datasets, PrimitiveResult result) {
    public NodeAnswer {
        requireNonNull(node, "node is null");
        datasets = List.copyOf(datasets);
        requireNonNull(result, "result is null");
    }
}
