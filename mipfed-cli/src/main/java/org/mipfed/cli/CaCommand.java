package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.state.FederationConfig;
import org.mipfed.manager.state.ManagerPaths;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code mipfed manager ca [--rotate [--finish]]}, as {@code docker swarm ca --rotate}, against the running manager. */
@Command(
        name = "ca",
        mixinStandardHelpOptions = true,
        description =
                "Show the federation's CA, or rotate it without downtime: nodes move to certificates under a new CA over their sessions, then the old CA is dropped.")
final class CaCommand implements Callable<Integer> {
    @Option(names = "--rotate", description = "Start a CA rotation (or, with --finish, finish the running one).")
    boolean rotate;

    @Option(
            names = "--finish",
            description =
                    "Finish the running rotation now, even if some nodes have not moved: their certificates are refused from then on.")
    boolean finish;

    @Option(
            names = "--wait",
            description =
                    "Seconds to wait for every node to move before returning (default: ${DEFAULT-VALUE}); the rotation finishes by itself when they have.",
            defaultValue = "60")
    int waitSeconds;

    @Mixin
    ManagerDir manager;

    @Override
    public Integer call() throws Exception {
        if (finish && !rotate) {
            throw Problem.badRequest("--finish goes with --rotate: mipfed manager ca --rotate --finish");
        }
        ManagerPaths paths = manager.paths();
        FederationConfig config = FederationInit.config(paths);
        AdminClient client = AdminClient.forManager(paths);
        if (!rotate) {
            System.out.println(Json.pretty().writeValueAsString(client.get("/admin/ca")));
            return 0;
        }
        if (finish) {
            printFinished(
                    client, client.post("/admin/ca/rotate/finish", Json.mapper().createObjectNode()), config);
            return 0;
        }
        JsonNode status = client.post("/admin/ca/rotate", Json.mapper().createObjectNode());
        System.out.println(
                "CA rotation started: new CA " + status.path("next_ca_digest").asText() + ".");
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        int shown = -1;
        while (status.path("rotating").asBoolean() && System.nanoTime() < deadline) {
            int moved = status.path("nodes_moved").asInt();
            if (moved != shown) {
                System.out.println(
                        "  " + moved + "/" + status.path("nodes_total").asInt() + " nodes moved to the new CA");
                shown = moved;
            }
            Thread.sleep(500);
            status = client.get("/admin/ca");
        }
        if (status.path("rotating").asBoolean()) {
            System.out.println("Still waiting for "
                    + (status.path("nodes_total").asInt()
                            - status.path("nodes_moved").asInt())
                    + " node(s) to connect and move; the rotation finishes by itself when they have.");
            System.out.println(
                    "To finish it now (nodes that have not moved must join again): mipfed manager ca --rotate --finish");
            return 0;
        }
        System.out.println("  every node moved to the new CA.");
        printFinished(client, status, config);
        return 0;
    }

    private static void printFinished(AdminClient client, JsonNode status, FederationConfig config) {
        System.out.println("CA rotation finished: the federation's CA is now "
                + status.path("ca_digest").asText() + "; certificates under the old CA are refused.");
        System.out.println("The join tokens now carry the new CA's digest. To add a hospital node:");
        System.out.println();
        System.out.println("    mipfed node join --token "
                + client.get("/admin/join-tokens/worker").path("token").asText() + " " + config.advertiseAddr() + ":"
                + config.grpcPort());
        System.out.println();
        System.out.println("The manager token: mipfed join-token manager");
    }
}
