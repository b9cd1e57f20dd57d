package org.mipfed.algorithms.spi;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An analysis: a flow on the manager that asks the nodes for primitives and combines their
 * aggregates into exactly the result the pooled data would give.
 */
public interface Algorithm {
    /** The algorithm's name in the API, e.g. {@code linear_regression}. */
    String name();

    /** The algorithm's specification, as served by {@code GET /algorithms} (Exareme2's format). */
    ObjectNode spec();

    /**
     * The specification to read, not copied: a caller must not change it. {@link #spec()} gives a copy to change; a
     * request's validation only reads the rules, and copying the whole spec on every request cost the manager a few
     * per cent of a small analysis's CPU.
     */
    default ObjectNode specToRead() {
        return spec();
    }

    /** Runs the analysis; {@link AlgorithmResult#toJson()} gives the result in Exareme2's output shape. */
    AlgorithmResult run(AnalysisInput input, FederationContext federation);
}
