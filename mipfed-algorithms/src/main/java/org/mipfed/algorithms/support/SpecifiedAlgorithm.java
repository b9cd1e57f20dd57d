package org.mipfed.algorithms.support;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.mipfed.algorithms.spi.Algorithm;

/** An algorithm whose name and specification (served by {@code GET /algorithms}) come from its spec file. */
public abstract class SpecifiedAlgorithm implements Algorithm {
    private final String name;
    private final ObjectNode spec;

    protected SpecifiedAlgorithm(String name) {
        this.name = requireNonNull(name, "name is null");
        ObjectNode loaded = AlgorithmSpecs.load(name);
        List<ObjectNode> preprocessing = AlgorithmSpecs.preprocessingFor(name);
        if (!preprocessing.isEmpty()) {
            // As Exareme2 lists them: the preprocessing steps a request for this algorithm may ask for.
            loaded.putArray("preprocessing").addAll(preprocessing);
        }
        this.spec = loaded;
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

    /** The spec itself, shared by every request: read it, never change it. */
    @Override
    public final ObjectNode specToRead() {
        return spec;
    }
}
