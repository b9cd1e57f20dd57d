package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import org.mipfed.core.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mipfed manager ls}: the federation's managers, as the one on this machine sees them. */
@Command(
        name = "ls",
        mixinStandardHelpOptions = true,
        description = "List the federation's managers: id, address nodes dial, role (leader/follower), status "
                + "(ready, catching-up: not yet applied up to the leader's commit index, down), lag (entries not applied yet), "
                + "applied index and state digest; '*' marks the one that answered.")
final class ManagerLsCommand implements Callable<Integer> {
    @Mixin
    ManagerDir manager;

    @Option(
            names = {"-q", "--quiet"},
            description = "Print manager ids only.")
    boolean quiet;

    @Option(names = "--format", description = "table or json (default: ${DEFAULT-VALUE}).", defaultValue = "table")
    String format;

    @Override
    public Integer call() throws Exception {
        JsonNode managers = manager.admin().get("/admin/managers");
        if (format.equals("json")) {
            System.out.println(Json.pretty().writeValueAsString(managers));
            return 0;
        }
        if (quiet) {
            managers.forEach(m -> System.out.println(m.path("id").asText()));
            return 0;
        }
        String row = "%-18s %-28s %-9s %-11s %-5s %-9s %s%n";
        System.out.printf(row, "ID", "ADDRESS", "ROLE", "STATUS", "LAG", "APPLIED", "DIGEST");
        for (JsonNode m : managers) {
            System.out.printf(
                    row,
                    m.path("id").asText() + (m.path("self").asBoolean() ? " *" : ""),
                    m.path("address").asText(),
                    m.path("role").asText(),
                    m.path("status").asText(),
                    m.path("lag").asLong(),
                    m.path("applied_index").asLong(-1) < 0
                            ? "-"
                            : m.path("applied_index").asText(),
                    // the first 12 hex digits tell managers apart; --format json gives the whole SHA-256
                    m.path("digest").isTextual()
                            ? m.path("digest")
                                    .asText()
                                    .substring(
                                            0,
                                            Math.min(
                                                    12,
                                                    m.path("digest").asText().length()))
                            : "-");
        }
        return 0;
    }
}
