package org.mipfed.algorithms;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** An algorithm whose name and specification (served by {@code GET /algorithms}) come from its spec file. */
public abstract class SpecifiedAlgorithm implements Algorithm {
    private final String name;
    private final ObjectNode spec;

    protected SpecifiedAlgorithm(String name) {
        this.name = requireNonNull(name, "name is null");
        this.spec = AlgorithmSpecs.load(name);
    }

    @Override
    public final String name() {
        return name;
    }

    /** A copy: callers may change it. */
    @Override
    public final ObjectNode spec() {
        return spec.deepCopy();
    }
}
