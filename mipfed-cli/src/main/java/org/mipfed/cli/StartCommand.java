package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.core.json.Json;
import org.mipfed.manager.state.ManagerPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mipfed start ALIAS...|all}: admit nodes into analyses. */
@Command(
        name = "start",
        mixinStandardHelpOptions = true,
        description = "Admit nodes into analyses (by alias or id, or all).")
final class StartCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "ALIAS", description = "Node aliases or ids, or 'all'.")
    List<String> nodes;

    @Option(
            names = "--data-dir",
            description = "Manager data directory (default: $MIPFED_MANAGER_DIR or ~/.mipfed/manager).")
    Path dataDir;

    @Override
    public Integer call() {
        return setAvailability(dataDir, nodes, "start");
    }

    static int setAvailability(Path dataDir, List<String> nodes, String verb) {
        ObjectNode body = Json.mapper().createObjectNode();
        nodes.forEach(body.putArray("nodes")::add);
        JsonNode answer = AdminClient.forManager(new ManagerPaths(DataDirs.manager(dataDir)))
                .post("/admin/" + verb, body);
        for (JsonNode n : answer) {
            String alias = n.path("labels").path("name").asText("");
            System.out.println((alias.isEmpty() ? n.path("id").asText() : alias) + " "
                    + n.path("availability").asText());
        }
        return 0;
    }
}
