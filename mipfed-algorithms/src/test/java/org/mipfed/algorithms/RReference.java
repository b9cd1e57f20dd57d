package org.mipfed.algorithms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.core.json.Json;

/**
 * The reference results R wrote (the scripts in src/test/resources/r; docs/user-guide.md, "Checking against R"):
 * per case a name, the request's inputs and R's figures.
 */
public final class RReference {
    private RReference() {}

    /** One case: the request body for {@code POST /algorithms/{name}} and what R computed. */
    public record Case(String name, ObjectNode body, JsonNode expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** The cases of {@code r/<algorithm>_expected.json}. */
    public static List<Case> load(String algorithm) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(TestData.resource("/r/" + algorithm + "_expected.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.path("cases")) {
            JsonNode request = c.path("request");
            ObjectNode body = Json.mapper().createObjectNode();
            ObjectNode inputdata = body.putObject("inputdata");
            inputdata.put("data_model", request.path("data_model").asText("dementia:0.1"));
            inputdata.set("datasets", array(request.path("datasets")));
            inputdata.set("y", array(request.path("y")));
            inputdata.set("x", array(request.path("x")));
            inputdata.putNull("filters");
            body.set("parameters", request.path("parameters").deepCopy());
            cases.add(new Case(c.path("name").asText(), body, c.path("expected")));
        }
        return cases;
    }

    /** R writes a list of one as a bare value. */
    private static ArrayNode array(JsonNode node) {
        if (node.isArray()) {
            return (ArrayNode) node.deepCopy();
        }
        ArrayNode array = Json.mapper().createArrayNode();
        if (!node.isMissingNode() && !node.isNull()) {
            array.add(node.deepCopy());
        }
        return array;
    }
}
