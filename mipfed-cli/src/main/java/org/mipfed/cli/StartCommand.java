package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.Callable;
import org.mipfed.core.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mipfed start ALIAS...|all}: admit nodes into analyses. */
@Command(
        name = "start",
        mixinStandardHelpOptions = true,
        description = "Admit nodes into analyses (by alias or id, or all).")
final class StartCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "ALIAS", description = "Node aliases or ids, or 'all'.")
    List<String> nodes;

    @Mixin
    ManagerDir manager;

    @Override
    public Integer call() {
        return setAvailability(manager, nodes, "start");
    }

    static int setAvailability(ManagerDir manager, List<String> nodes, String verb) {
        ObjectNode body = Json.mapper().createObjectNode();
        nodes.forEach(body.putArray("nodes")::add);
        JsonNode answer = manager.admin().post("/admin/" + verb, body);
        for (JsonNode n : answer) {
            String alias = n.path("labels").path("name").asText("");
            System.out.println((alias.isEmpty() ? n.path("id").asText() : alias) + " "
                    + n.path("availability").asText());
        }
        return 0;
    }
}
