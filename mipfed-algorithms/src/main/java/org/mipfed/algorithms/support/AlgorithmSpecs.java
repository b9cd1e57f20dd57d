package org.mipfed.algorithms.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.core.json.Json;

/** Reads algorithm specifications (Exareme2's JSON format) shipped with this module. */
public final class AlgorithmSpecs {
    private static final String DIRECTORY = "/org/mipfed/algorithms/specs/";
    /**
     * The preprocessing steps a request may ask for, by spec name (their classes, in {@code preprocessing}, load the
     * same files); each spec lists the algorithms the step can precede.
     */
    private static final List<String> PREPROCESSING_STEPS = List.of("longitudinal_transformer");

    private AlgorithmSpecs() {}

    /**
     * The spec of {@code name} from the class path resource {@code /org/mipfed/algorithms/specs/<name>.json}.
     *
     * @throws IllegalStateException when the resource is missing or is not a JSON object naming {@code name}
     */
    public static ObjectNode load(String name) {
        String resource = DIRECTORY + name + ".json";
        try (InputStream in = AlgorithmSpecs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The algorithm spec " + resource + " is missing from the class path");
            }
            JsonNode spec = Json.mapper().readTree(in);
            if (!(spec instanceof ObjectNode object)
                    || !name.equals(spec.path("name").asText())) {
                throw new IllegalStateException(
                        "The algorithm spec " + resource + " must be a JSON object with \"name\": \"" + name + "\"");
            }
            return object;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the algorithm spec " + resource, e);
        }
    }

    /** The specs of the preprocessing steps that can precede {@code algorithm}, served with its own spec as Exareme2 does. */
    public static List<ObjectNode> preprocessingFor(String algorithm) {
        List<ObjectNode> steps = new ArrayList<>();
        for (String step : PREPROCESSING_STEPS) {
            ObjectNode spec = load(step);
            for (JsonNode name : spec.path("compatible_algorithms")) {
                if (name.asText().equals(algorithm)) {
                    steps.add(spec);
                    break;
                }
            }
        }
        return steps;
    }
}
