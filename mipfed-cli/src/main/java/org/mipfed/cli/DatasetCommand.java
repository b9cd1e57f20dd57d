package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.mipfed.core.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code mipfed dataset}: which node owns each dataset, and moving one deliberately. The first node
 * to announce a dataset owns it; another node announcing it later is refused (shown in
 * {@code mipfed node ls --format json} and the admin page) until an administrator moves it here.
 */
@Command(
        name = "dataset",
        description = "Dataset ownership on the manager: list owners, move a dataset to another node.",
        subcommands = {DatasetCommand.Ls.class, DatasetCommand.Move.class})
final class DatasetCommand {
    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List every dataset and the node that owns it.")
    static final class Ls implements Callable<Integer> {
        @Mixin
        ManagerDir manager;

        @Override
        public Integer call() {
            JsonNode owners = manager.admin().get("/admin/datasets");
            System.out.printf("%-20s %-28s %-26s %s%n", "DATA MODEL", "DATASET", "NODE", "SINCE");
            for (JsonNode o : owners) {
                System.out.printf(
                        "%-20s %-28s %-26s %s%n",
                        o.path("dataModel").asText(),
                        o.path("dataset").asText(),
                        o.path("node").asText(),
                        o.path("since").asText());
            }
            return 0;
        }
    }

    @Command(
            name = "move",
            mixinStandardHelpOptions = true,
            description = "Give a dataset to another node (audited). Its former owner's copy is no longer used.")
    static final class Move implements Callable<Integer> {
        @Mixin
        ManagerDir manager;

        @Parameters(
                index = "0",
                paramLabel = "DATA_MODEL",
                description = "The data model, code:version (e.g. dementia:0.1).")
        String dataModel;

        @Parameters(index = "1", paramLabel = "DATASET", description = "The dataset's code (e.g. edsd0).")
        String dataset;

        @Parameters(
                index = "2",
                paramLabel = "NODE",
                description = "The node that owns it from now on: id, id prefix, alias or hostname.")
        String node;

        @Override
        public Integer call() {
            JsonNode answer = manager.admin()
                    .post(
                            "/admin/datasets/" + segment(dataModel) + "/" + segment(dataset) + "/owner",
                            Json.mapper().createObjectNode().put("node", node));
            System.out.println("dataset " + answer.path("dataset").asText() + " of "
                    + answer.path("dataModel").asText() + " now belongs to node "
                    + answer.path("node").asText());
            return 0;
        }

        private static String segment(String text) {
            return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }
}
