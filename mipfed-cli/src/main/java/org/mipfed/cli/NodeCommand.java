package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.node.NodeAgent;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodePaths;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.control.ControlClient;
import org.mipfed.node.join.NodeJoiner;
import org.mipfed.node.metrics.MonitoringServer;
import org.mipfed.node.privacy.PrivacyFloors;
import org.mipfed.node.privacy.RefusalBudget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mipfed node join|run|status|unlock} on a hospital, {@code mipfed node ls|update|rm} on the manager. */
@Command(
        name = "node",
        description = "Join and run a hospital node; list, label and remove nodes (on the manager).",
        subcommands = {
            NodeCommand.Join.class,
            NodeCommand.Run.class,
            NodeCommand.Status.class,
            NodeCommand.Ls.class,
            NodeCommand.Update.class,
            NodeCommand.Rm.class,
            NodeCommand.Unlock.class
        })
final class NodeCommand {
    @Command(
            name = "join",
            mixinStandardHelpOptions = true,
            description = "Join a federation with a token from its manager.")
    static final class Join implements Callable<Integer> {
        @Option(
                names = "--token",
                required = true,
                description = "The join token (mipfed join-token worker on the manager).")
        String token;

        @Option(
                names = "--data-dir",
                description = "Node data directory (default: $MIPFED_NODE_DIR or ~/.mipfed/node).")
        Path dataDir;

        @Option(
                names = "--store",
                description =
                        "JDBC URL of an existing PostgreSQL database to use as the local data store (default: an embedded DuckDB file in the data directory).")
        String store;

        @Option(
                names = "--min-rows",
                defaultValue = "" + NodeConfig.DEFAULT_MIN_ROWS,
                description =
                        "The node's privacy threshold: no aggregate over fewer rows is released (default: ${DEFAULT-VALUE}). "
                                + "The rest of the privacy policy takes its defaults; change it in \"privacy\" of node.json.")
        int minRows;

        @Parameters(
                index = "0",
                paramLabel = "HOST:PORT",
                description = "The manager's address (port 2377 by default).")
        String manager;

        @Override
        public Integer call() {
            if (minRows < PrivacyFloors.MIN_ROWS) {
                throw Problem.badRequest(
                        "--min-rows must be at least " + PrivacyFloors.MIN_ROWS
                                + ", the safe floor (an aggregate of fewer "
                                + "rows discloses them). To go below it deliberately, join with --min-rows "
                                + PrivacyFloors.MIN_ROWS
                                + ", then set \"min_rows\" in \"privacy\" of node.json and add \"below_safe_floor\": [\"min_rows\"]");
            }
            if (store != null && !store.startsWith("jdbc:postgresql:") && !store.startsWith("jdbc:duckdb:")) {
                throw Problem.badRequest(
                        "--store must be a jdbc:postgresql://host:port/database?user=…&password=… URL (or jdbc:duckdb:/path)");
            }
            NodePaths paths = new NodePaths(DataDirs.node(dataDir));
            NodeConfig config = NodeJoiner.join(paths, token, manager, store, minRows);
            System.out.println("This node joined federation " + config.federationId() + " as a " + config.role() + ".");
            System.out.println(config.nodeId());
            return 0;
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = "Run the node: keep its session to the manager and answer analyses, until stopped.")
    static final class Run implements Callable<Integer> {
        @Option(
                names = "--data-dir",
                description = "Node data directory (default: $MIPFED_NODE_DIR or ~/.mipfed/node).")
        Path dataDir;

        @Option(
                names = "--metrics-addr",
                paramLabel = "HOST:PORT",
                description = "Serve Prometheus metrics (/metrics) and health probes (/healthz, /readyz) here, without"
                        + " credentials: off by default; a bare :PORT is loopback (127.0.0.1).")
        String metricsAddr;

        @Override
        public Integer call() throws InterruptedException {
            NodeAgent agent = NodeAgent.start(
                    new NodePaths(DataDirs.node(dataDir)),
                    metricsAddr == null ? null : MonitoringServer.parse(metricsAddr));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                agent.close();
                                stopped.countDown();
                            },
                            "mipfed-shutdown"));
            stopped.await();
            return 0;
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "On the node: its session to each manager of the federation (connected, or down and why).")
    static final class Status implements Callable<Integer> {
        @Option(
                names = "--data-dir",
                description = "Node data directory (default: $MIPFED_NODE_DIR or ~/.mipfed/node).")
        Path dataDir;

        @Option(names = "--format", description = "table or json (default: ${DEFAULT-VALUE}).", defaultValue = "table")
        String format;

        @Override
        public Integer call() throws IOException {
            if (!format.equals("table") && !format.equals("json")) {
                throw Problem.badRequest("--format must be table or json, not '" + format + "'");
            }
            NodePaths paths = new NodePaths(DataDirs.node(dataDir));
            NodeConfig config = NodeConfig.load(paths);
            ObjectNode[] status = new ObjectNode[1];
            boolean running = ControlClient.call(
                            paths.controlSocket(),
                            Json.mapper().createObjectNode().put("op", "status"),
                            line -> {
                                if (line.path("kind").asText().equals("status") && line instanceof ObjectNode o) {
                                    status[0] = o;
                                }
                            })
                    .isPresent();
            if (!running || status[0] == null) {
                // no node runs here: what node.json says it will dial
                status[0] = Json.mapper().createObjectNode();
                status[0].put("node_id", config.nodeId()).put("federation_id", config.federationId());
                status[0].put("managers_version", config.managersVersion());
                var list = status[0].putArray("managers");
                config.managerList()
                        .forEach(m -> list.addObject()
                                .put("id", m.id())
                                .put("address", m.address())
                                .put("state", "not running"));
            }
            status[0].remove("kind");
            if (format.equals("json")) {
                System.out.println(Json.pretty().writeValueAsString(status[0]));
                return 0;
            }
            System.out.printf(
                    "Node %s of federation %s%s; managers list version %d%n",
                    status[0].path("node_id").asText(),
                    status[0].path("federation_id").asText(),
                    running ? "" : " (not running: the managers it will dial)",
                    status[0].path("managers_version").asLong());
            String row = "%-14s %-24s %-12s %-22s %-9s %s%n";
            System.out.printf(row, "MANAGER", "ADDRESS", "STATE", "SINCE", "FAILURES", "LAST ERROR");
            for (JsonNode m : status[0].path("managers")) {
                System.out.printf(
                        row,
                        m.path("id").asText("").isEmpty() ? "-" : m.path("id").asText(),
                        m.path("address").asText(),
                        m.path("state").asText(),
                        m.path("since").isMissingNode()
                                ? "-"
                                : Instant.parse(m.path("since").asText())
                                        .truncatedTo(ChronoUnit.SECONDS)
                                        .toString()
                                        .replace("T", " "),
                        m.path("failures").asText("-"),
                        m.path("last_error").asText("").isEmpty()
                                ? "-"
                                : m.path("last_error").asText());
            }
            return 0;
        }
    }

    @Command(
            name = "unlock",
            mixinStandardHelpOptions = true,
            description =
                    "On the node: lift a requester's lockouts (their refusal budget is spent) and forget their refusals. Audited.")
    static final class Unlock implements Callable<Integer> {
        @Option(
                names = "--data-dir",
                description = "Node data directory (default: $MIPFED_NODE_DIR or ~/.mipfed/node).")
        Path dataDir;

        @Option(
                names = "--requester",
                required = true,
                description = "The user name the node's alert and audit log show.")
        String requester;

        @Override
        public Integer call() throws IOException {
            NodePaths paths = new NodePaths(DataDirs.node(dataDir));
            NodeConfig config = NodeConfig.load(paths);
            ObjectNode request =
                    Json.mapper().createObjectNode().put("op", "unlock").put("requester", requester);
            if (ControlClient.call(paths.controlSocket(), request, line -> {}).isEmpty()) {
                // No node running here: change the file it will read at start, and audit it as the node would.
                new RefusalBudget(config.privacy(), paths.privacyBudget()).reset(requester);
                try (AuditLog audit = new AuditLog(paths.auditLog(), config.nodeId())) {
                    audit.recordUnlock(Instant.now(), requester);
                }
            }
            System.out.println("Lifted the lockouts of '" + requester + "' on this node.");
            return 0;
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List the federation's nodes (on the manager).")
    static final class Ls implements Callable<Integer> {
        @Mixin
        ManagerDir manager;

        @Option(
                names = {"-q", "--quiet"},
                description = "Print node ids only.")
        boolean quiet;

        @Option(names = "--format", description = "table or json (default: ${DEFAULT-VALUE}).", defaultValue = "table")
        String format;

        @Override
        public Integer call() throws Exception {
            JsonNode nodes = manager.admin().get("/admin/nodes");
            if (format.equals("json")) {
                System.out.println(Json.pretty().writeValueAsString(nodes));
                return 0;
            }
            if (quiet) {
                nodes.forEach(n -> System.out.println(n.path("id").asText()));
                return 0;
            }
            String row = "%-26s %-20s %-10s %-7s %-12s %-20s %s%n";
            System.out.printf(row, "ID", "HOSTNAME", "ALIAS", "STATUS", "AVAILABILITY", "CERTIFICATE", "DATASETS");
            for (JsonNode n : nodes) {
                List<String> datasets = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it =
                                n.path("datasets").properties().iterator();
                        it.hasNext(); ) {
                    Map.Entry<String, JsonNode> model = it.next();
                    List<String> codes = new ArrayList<>();
                    model.getValue().forEach(d -> codes.add(d.asText()));
                    datasets.add(model.getKey() + "[" + String.join(",", codes) + "]");
                }
                // datasets another node owns: announced here, refused by the manager (mipfed dataset move to change)
                for (Iterator<Map.Entry<String, JsonNode>> it =
                                n.path("datasetConflicts").properties().iterator();
                        it.hasNext(); ) {
                    Map.Entry<String, JsonNode> model = it.next();
                    List<String> codes = new ArrayList<>();
                    model.getValue()
                            .properties()
                            .forEach(d -> codes.add(
                                    d.getKey() + " owned by " + d.getValue().asText()));
                    datasets.add("REFUSED " + model.getKey() + "[" + String.join(", ", codes) + "]");
                }
                System.out.printf(
                        row,
                        n.path("id").asText(),
                        n.path("hostname").asText(),
                        n.path("alias").asText("-").replace("null", "-"),
                        n.path("status").asText(),
                        n.path("availability").asText(),
                        certificate(n.path("certificateExpires")),
                        String.join(" ", datasets));
            }
            return 0;
        }
    }

    /** When the node's certificate expires; "expired: rejoin" once it has, since such a node cannot renew. */
    private static String certificate(JsonNode expires) {
        if (expires.isMissingNode() || expires.isNull()) {
            return "-";
        }
        Instant at = Instant.parse(expires.asText());
        return at.isBefore(Instant.now())
                ? "expired: rejoin"
                : "until "
                        + at.truncatedTo(ChronoUnit.MINUTES)
                                .toString()
                                .replace("T", " ")
                                .replace(":00Z", "Z");
    }

    @Command(
            name = "update",
            mixinStandardHelpOptions = true,
            description = "Add or remove node labels; the label 'name' is the node's alias.")
    static final class Update implements Callable<Integer> {
        @Option(names = "--label-add", description = "KEY=VALUE, e.g. name=chuv")
        List<String> add = new ArrayList<>();

        @Option(names = "--label-rm", description = "KEY")
        List<String> remove = new ArrayList<>();

        @Mixin
        ManagerDir manager;

        @Parameters(index = "0", paramLabel = "NODE", description = "Node id, id prefix, alias or hostname.")
        String node;

        @Override
        public Integer call() {
            ObjectNode body = Json.mapper().createObjectNode();
            ObjectNode labels = body.putObject("add");
            for (String kv : add) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw Problem.badRequest(
                            "--label-add needs KEY=VALUE, e.g. --label-add name=chuv; got '" + kv + "'");
                }
                labels.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            remove.forEach(body.putArray("remove")::add);
            JsonNode answer = manager.admin().post("/admin/nodes/" + node + "/labels", body);
            System.out.println(answer.path("id").asText());
            return 0;
        }
    }

    @Command(
            name = "rm",
            mixinStandardHelpOptions = true,
            description = "Remove a node: its certificate is refused from then on.")
    static final class Rm implements Callable<Integer> {
        @Mixin
        ManagerDir manager;

        @Parameters(index = "0", paramLabel = "NODE", description = "Node id, id prefix, alias or hostname.")
        String node;

        @Override
        public Integer call() {
            JsonNode answer = manager.admin().delete("/admin/nodes/" + node);
            System.out.println(answer.path("id").asText());
            return 0;
        }
    }
}
