package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.api.WebOptions;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.NodeAgent;
import org.mipfed.node.NodeImports;
import org.mipfed.node.NodePaths;
import org.mipfed.node.join.NodeJoiner;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mipfed cds}: class-data sharing, which lets the JVM map the classes a manager, a node and the command load
 * from an archive instead of loading and verifying them from the jars at each start (a manager's start takes about 40%
 * less CPU). The {@code mipfed} launcher script builds the archive: it runs this command with {@code --train} in a JVM
 * started with {@code -XX:ArchiveClassesAtExit}, and the JVM writes the classes it loaded when it exits. The training
 * is a whole federation in this one process, on loopback and free ports, in a temporary directory removed after: a
 * manager initialised and started, a node joined with a little of the bundled dementia data and run, a descriptive
 * statistics and a linear regression, then both stopped.
 */
@Command(
        name = "cds",
        mixinStandardHelpOptions = true,
        description = {
            "Class-data sharing: build the archive of the classes mipfed loads, so that managers, nodes and commands start faster.",
            "The mipfed launcher handles this command (it starts the JVM that writes the archive into its cache directory; "
                    + "docs/operations.md, \"Class-data sharing\"); run it as: mipfed cds [--status|--remove]."
        })
final class CdsCommand implements Callable<Integer> {
    private static final Duration PATIENCE = Duration.ofSeconds(300);

    @Option(
            names = "--train",
            description =
                    "Run the training workload in this JVM (what the launcher runs with -XX:ArchiveClassesAtExit).")
    boolean train;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!train) {
            throw Problem.badRequest(
                    "mipfed cds is handled by the mipfed launcher script (bin/mipfed, /usr/bin/mipfed or"
                            + " ./mipfed in a checkout), which starts the JVM that writes the archive: run it through the launcher,"
                            + " or add --train to only run the training workload here");
        }
        Path dir = Files.createTempDirectory("mipfed-cds-");
        try {
            trainIn(dir);
        } finally {
            deleteTree(dir);
        }
        System.out.println("mipfed cds: training done; the JVM writes the archive as it exits");
        return 0;
    }

    /** A manager and a node in this JVM, one descriptive statistics and one linear regression, then both stopped. */
    private static void trainIn(Path dir) throws InterruptedException {
        ManagerPaths managerPaths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(managerPaths, "127.0.0.1", 0, 0, "127.0.0.1");
        ManagerServer manager = ManagerServer.start(managerPaths, 0, 0, WebOptions.DEFAULT, null, 0);
        NodeAgent agent = null;
        try {
            AdminClient admin =
                    new AdminClient("http://127.0.0.1:" + manager.httpPort(), FederationInit.adminToken(managerPaths));
            admin.get("/healthcheck");
            String token = admin.get("/admin/join-tokens/worker").path("token").asText();
            NodePaths nodePaths = new NodePaths(dir.resolve("node"));
            String nodeId = NodeJoiner.join(nodePaths, token, "127.0.0.1:" + manager.grpcPort(), null, 10)
                    .nodeId();
            Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
            importInto(nodePaths, data.resolve("CDEsMetadata.json"), List.of(data.resolve("edsd0.csv")));
            ObjectNode labels = Json.mapper().createObjectNode();
            labels.putObject("add").put("name", "training");
            admin.post("/admin/nodes/" + nodeId + "/labels", labels);
            agent = NodeAgent.start(nodePaths);
            ObjectNode start = Json.mapper().createObjectNode();
            start.withArray("nodes").add("training");
            admin.post("/admin/start", start);
            awaitReady(admin, nodeId);
            admin.get("/admin/nodes");
            admin.get("/algorithms");
            List<String> datasets = new ArrayList<>();
            admin.get("/datasets").path("dementia:0.1").fieldNames().forEachRemaining(datasets::add);
            admin.post(
                    "/algorithms/descriptive_stats",
                    new AnalysisRequest(
                                    "dementia:0.1",
                                    datasets,
                                    List.of(),
                                    List.of("lefthippocampus", "gender"),
                                    null,
                                    null,
                                    null)
                            .toJson());
            admin.post(
                    "/algorithms/linear_regression",
                    new AnalysisRequest(
                                    "dementia:0.1",
                                    datasets,
                                    List.of("gender", "righthippocampus"),
                                    List.of("lefthippocampus"),
                                    null,
                                    null,
                                    null)
                            .toJson());
        } finally {
            if (agent != null) {
                agent.close();
            }
            manager.close();
        }
    }

    private static void importInto(NodePaths paths, Path dataModel, List<Path> csvs) {
        List<String> errors = new ArrayList<>();
        try (DataStore store = DataStores.open(null, paths.dataDir())) {
            NodeImports.run(store, dataModel, csvs, (kind, body) -> {
                if (kind.equals("error")) {
                    errors.add(body.path("message").asText());
                }
            });
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("the training's import failed: " + errors);
        }
    }

    private static void awaitReady(AdminClient admin, String nodeId) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode n : admin.get("/admin/nodes")) {
                if (n.path("id").asText().equals(nodeId)
                        && n.path("status").asText().equals("ready")
                        && n.path("datasets").size() > 0) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the training's node was not ready within " + PATIENCE.toSeconds() + " s");
    }

    private static void deleteTree(Path dir) {
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the training's directory " + dir, e);
        }
    }
}
