package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.mipfed.core.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code mipfed manager demote} and {@code mipfed manager rm}: managers leave the group, over the REST API (admin). */
final class ManagerMembershipCommands {
    private ManagerMembershipCommands() {}

    @Command(
            name = "demote",
            mixinStandardHelpOptions = true,
            description = "A live manager leaves the managers' voting group cleanly (its data directory stays); "
                    + "then 'mipfed manager rm' removes it. Sent to the leader (mipfed manager ls shows it).")
    static final class Demote implements Callable<Integer> {
        @Mixin
        ManagerDir manager;

        @Parameters(index = "0", paramLabel = "ID", description = "The manager's id (mipfed manager ls).")
        String id;

        @Override
        public Integer call() throws Exception {
            JsonNode managers = manager.admin()
                    .post(
                            "/admin/managers/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/demote",
                            Json.mapper().createObjectNode());
            System.out.println("Manager " + id + " left the managers' voting group; " + managers.size()
                    + " manager(s) remain. Remove it with: mipfed manager rm " + id);
            return 0;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = "Remove a down or demoted manager from the federation; a live voting manager is refused "
                    + "(demote it first).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ManagerDir manager;

        @Parameters(index = "0", paramLabel = "ID", description = "The manager's id (mipfed manager ls).")
        String id;

        @Override
        public Integer call() throws Exception {
            JsonNode managers =
                    manager.admin().delete("/admin/managers/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
            System.out.println("Manager " + id + " removed; " + managers.size() + " manager(s) remain.");
            return 0;
        }
    }
}
