package org.mipfed.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.mipfed.cli.client.AdminClient;
import org.mipfed.cli.demo.DemoFederation;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code mipfed demo}: the original proof of concept on one machine — a manager and three
 * hospitals (chuv, epfl, uoa) as separate processes on loopback, each with part of the dementia
 * data, labelled, started and analysed.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Run a manager and three hospital nodes (chuv, epfl, uoa) on this machine with the dementia data, run two analyses, and keep the federation up until Ctrl-C.")
final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--work-dir",
            description = "Where the federation's data directories go (default: a new temporary directory).")
    Path workDir;

    @Option(
            names = "--http-port",
            defaultValue = "9090",
            description = "Port of the REST API (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int httpPort;

    @Option(
            names = "--grpc-port",
            defaultValue = "2377",
            description = "Port for nodes (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int grpcPort;

    @Option(
            names = "--managers",
            defaultValue = "1",
            description = "How many managers (default: ${DEFAULT-VALUE}); more than one join the first with "
                    + "'mipfed manager join' and the manager token, each with its own portal (3 or 5 survive the loss "
                    + "of 1 or 2).")
    int managers;

    @Option(names = "--exit", description = "Stop after the analyses instead of waiting for Ctrl-C.")
    boolean exit;

    @Override
    public Integer call() throws IOException, InterruptedException {
        long started = System.nanoTime();
        if (managers < 1 || managers > 9) {
            throw Problem.badRequest("--managers must be 1 to 9, not " + managers + " (3 or 5 for redundancy)");
        }
        Path dir = workDir != null ? workDir : Files.createTempDirectory("mipfed-demo-");
        Files.createDirectories(dir);
        CountDownLatch stopped = new CountDownLatch(1);
        LocalFederation federation = DemoFederation.start(
                dir,
                grpcPort,
                httpPort,
                managers,
                DemoCommand::step,
                created -> Runtime.getRuntime()
                        .addShutdownHook(new Thread(
                                () -> {
                                    created.close();
                                    stopped.countDown();
                                },
                                "mipfed-demo-shutdown")));
        AdminClient admin = federation.admin();
        System.out.println();
        System.out.println(nodeTable(admin.get("/admin/nodes")));
        if (federation.managerCount() > 1) {
            System.out.println(managerTable(admin.get("/admin/managers")));
        }

        List<String> datasets = new ArrayList<>();
        admin.get("/datasets").path("dementia:0.1").fieldNames().forEachRemaining(d -> {
            if (!d.endsWith("_test")) {
                datasets.add(d);
            }
        });
        step("descriptive_stats of lefthippocampus, righthippocampus, gender over " + datasets.size()
                + " datasets on 3 hospitals");
        JsonNode stats = admin.post(
                "/algorithms/descriptive_stats",
                request(datasets, List.of("lefthippocampus", "righthippocampus", "gender"), List.of()));
        for (JsonNode r : stats.path("variable_based")) {
            if (r.path("dataset").asText().equals("all datasets")
                    && !r.path("data").isNull()) {
                JsonNode d = r.path("data");
                if (d.has("counts")) {
                    System.out.printf(
                            "  %-18s n=%-5d counts=%s%n",
                            r.path("variable").asText(), d.path("num_dtps").asLong(), d.path("counts"));
                } else {
                    System.out.printf(
                            "  %-18s n=%-5d mean=%.4f  std=%.4f  min=%.4f  max=%.4f%n",
                            r.path("variable").asText(),
                            d.path("num_dtps").asLong(),
                            d.path("mean").asDouble(),
                            d.path("std").asDouble(),
                            d.path("min").asDouble(),
                            d.path("max").asDouble());
                }
            }
        }
        step("linear_regression: lefthippocampus ~ agegroup + gender + righthippocampus + subjectageyears");
        ObjectNode regression = request(
                datasets,
                List.of("lefthippocampus"),
                List.of("agegroup", "gender", "righthippocampus", "subjectageyears"));
        JsonNode lr = admin.post("/algorithms/linear_regression", regression);
        System.out.printf(
                "  n_obs=%d  R²=%.4f  adj. R²=%.4f  F=%.2f (p=%.3g)%n",
                lr.path("n_obs").asLong(),
                lr.path("r_squared").asDouble(),
                lr.path("r_squared_adjusted").asDouble(),
                lr.path("f_stat").asDouble(),
                lr.path("f_pvalue").asDouble());
        System.out.printf("  %-28s %12s %10s %10s %10s%n", "", "coef", "std err", "t", "p");
        for (int i = 0; i < lr.path("indep_vars").size(); i++) {
            System.out.printf(
                    "  %-28s %12.5f %10.5f %10.3f %10.3g%n",
                    lr.path("indep_vars").get(i).asText(),
                    lr.path("coefficients").get(i).asDouble(),
                    lr.path("std_err").get(i).asDouble(),
                    lr.path("t_stats").get(i).asDouble(),
                    lr.path("pvalues").get(i).asDouble());
        }
        System.out.printf("  contributing nodes: %s%n", lr.path("contributing_nodes"));
        for (int m = 1; m < federation.managerCount(); m++) {
            JsonNode again = federation.admin(m).post("/algorithms/linear_regression", regression);
            System.out.printf(
                    "  the same regression through manager %d (%s): n_obs=%d, largest difference of a coefficient %.3g%n",
                    m + 1,
                    federation.managerId(m),
                    again.path("n_obs").asLong(),
                    largestDifference(lr.path("coefficients"), again.path("coefficients")));
        }
        System.out.println();
        System.out.printf("Demo ready in %.1f s.%n", (System.nanoTime() - started) / 1e9);
        System.out.println("Portal: http://127.0.0.1:" + federation.httpPort() + "/portal/   sign in as: admin / "
                + federation.adminPassword());
        for (int m = 1; m < federation.managerCount(); m++) {
            System.out.println("Portal of manager " + (m + 1) + " (" + federation.managerId(m) + "): http://127.0.0.1:"
                    + federation.managerHttpPort(m) + "/portal/   (same users; mipfed manager ls lists the managers)");
        }
        System.out.println(
                "REST API: http://127.0.0.1:" + federation.httpPort() + "   token: " + federation.adminToken());
        System.out.println("Try:  curl -s -H 'Authorization: Bearer " + federation.adminToken() + "' http://127.0.0.1:"
                + federation.httpPort() + "/admin/nodes");
        System.out.println(
                "      MIPFED_MANAGER_DIR=" + federation.managerPaths().dataDir() + " ./mipfed node ls");
        System.out.println("Logs and data: " + dir);
        if (exit) {
            return 0;
        }
        System.out.println("Press Ctrl-C to stop the federation.");
        stopped.await();
        return 0;
    }

    private static ObjectNode request(List<String> datasets, List<String> y, List<String> x) {
        return new AnalysisRequest("dementia:0.1", datasets, x, y, null, null, null).toJson();
    }

    /** The largest absolute difference between two arrays of numbers (infinite when their lengths differ). */
    private static double largestDifference(JsonNode a, JsonNode b) {
        if (a.size() != b.size()) {
            return Double.POSITIVE_INFINITY;
        }
        double largest = 0;
        for (int i = 0; i < a.size(); i++) {
            largest = Math.max(largest, Math.abs(a.get(i).asDouble() - b.get(i).asDouble()));
        }
        return largest;
    }

    private static String managerTable(JsonNode managers) {
        StringBuilder out =
                new StringBuilder(String.format("  %-18s %-22s %-9s %s%n", "MANAGER", "ADDRESS", "ROLE", "STATUS"));
        for (JsonNode m : managers) {
            out.append(String.format(
                    "  %-18s %-22s %-9s %s%n",
                    m.path("id").asText(),
                    m.path("address").asText(),
                    m.path("role").asText(),
                    m.path("status").asText()));
        }
        return out.toString();
    }

    private static String nodeTable(JsonNode nodes) {
        StringBuilder out = new StringBuilder(
                String.format("  %-26s %-6s %-7s %-12s %s%n", "ID", "ALIAS", "STATUS", "AVAILABILITY", "DATASETS"));
        for (JsonNode n : nodes) {
            List<String> datasets = new ArrayList<>();
            n.path("datasets").forEach(m -> m.forEach(d -> datasets.add(d.asText())));
            out.append(String.format(
                    "  %-26s %-6s %-7s %-12s %s%n",
                    n.path("id").asText(),
                    n.path("alias").asText(),
                    n.path("status").asText(),
                    n.path("availability").asText(),
                    String.join(",", datasets)));
        }
        return out.toString();
    }

    private static void step(String what) {
        System.out.println("==> " + what);
    }
}
