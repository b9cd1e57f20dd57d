package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * {@code flags: {"smpc": true}} on a real federation: three node processes and the manager over mutual
 * TLS on loopback. Every algorithm that runs under secure aggregation gives the plain path's result to
 * 1e-9 relative; the result says it was securely aggregated and names no node's own row count; the
 * others, and a request over a single node, are refused with a reason.
 */
class TestSecureAggregation {
    private static final Map<String, List<String>> NODES = Map.of(
            "north", List.of("edsd0", "edsd1", "edsd2", "ppmi0", "ppmi1", "desd-synthdata0"),
            "centre", List.of("edsd3", "edsd4", "ppmi2", "ppmi3", "desd-synthdata1", "desd-synthdata2"),
            "south", List.of("edsd5", "edsd6", "ppmi4", "ppmi5", "desd-synthdata3", "desd-synthdata4"));

    @TempDir
    static Path dir;

    static LocalFederation federation;

    @BeforeAll
    static void startFederation() {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        // The default policy without its history: the same rows are analysed over and over with overlapping variables,
        // a few
        // missing values apart, which the history rightly refuses (rule differencing; see
        // TestResearcherSubtractionAttacks).
        PrivacyPolicy policy = PrivacyPolicy.DEFAULT.withoutHistory();
        NODES.forEach((alias, datasets) -> federation.addNode(
                alias,
                null,
                policy,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"),
                        datasets.stream().map(d -> data.resolve(d + ".csv")).toList()))));
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(180), "north", "centre", "south");
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    private static List<String> all() {
        List<String> out = new ArrayList<>();
        NODES.values().forEach(out::addAll);
        return out;
    }

    private static AnalysisRequest body(List<String> datasets, List<String> x, List<String> y, String... parameters) {
        ObjectNode p = Json.mapper().createObjectNode();
        for (int i = 0; i < parameters.length; i += 2) {
            p.put(parameters[i], parameters[i + 1]);
        }
        return new AnalysisRequest("dementia:0.1", datasets, x, y, null, p, null);
    }

    private static JsonNode run(String algorithm, AnalysisRequest request, boolean smpc) {
        ObjectNode flags = Json.mapper().createObjectNode().put("smpc", smpc);
        AnalysisRequest flagged = new AnalysisRequest(
                request.dataModel(),
                request.datasets(),
                request.x(),
                request.y(),
                request.filters(),
                request.parameters(),
                flags);
        return federation.admin().post("/algorithms/" + algorithm, flagged.toJson());
    }

    /** Runs plain and secure; every number must agree to 1e-9 relative (1e-12 absolute near zero). */
    private static JsonNode same(String algorithm, AnalysisRequest body) {
        JsonNode plain = run(algorithm, body, false);
        JsonNode secure = run(algorithm, body, true);
        List<String> differences = new ArrayList<>();
        compare("", plain, secure, differences);
        assertThat(differences)
                .as(algorithm + ": secure and plain results differ")
                .isEmpty();
        assertThat(secure.path("secure_aggregation").asBoolean()).isTrue();
        assertThat(plain.has("secure_aggregation")).isFalse();
        assertThat(secure.path("contributing_nodes")).hasSize(3);
        for (JsonNode node : secure.path("contributing_nodes")) {
            assertThat(node.path("rows").isNull())
                    .as("no node's own row count under smpc")
                    .isTrue();
        }
        return secure;
    }

    private static void compare(String path, JsonNode a, JsonNode b, List<String> differences) {
        if (path.equals(".contributing_nodes") || path.equals(".secure_aggregation")) {
            return;
        }
        if (a.isNumber() && b.isNumber()) {
            double x = a.asDouble();
            double y = b.asDouble();
            if (Math.abs(x - y) > 1e-9 * Math.max(Math.abs(x), Math.abs(y)) + 1e-12) {
                differences.add(path + ": " + x + " vs " + y);
            }
        } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                compare(path + "[" + i + "]", a.get(i), b.get(i), differences);
            }
        } else if (a.isObject() && b.isObject()) {
            for (Iterator<String> names = a.fieldNames(); names.hasNext(); ) {
                String f = names.next();
                compare(path + "." + f, a.get(f), b.path(f), differences);
            }
        } else if (!a.equals(b)) {
            differences.add(path + ": " + a + " vs " + b);
        }
    }

    @Test
    void linearRegressionWithANominalCovariateEqualsThePlainPath() {
        JsonNode result = same(
                "linear_regression",
                body(all(), List.of("righthippocampus", "subjectageyears", "gender"), List.of("lefthippocampus")));
        assertThat(result.path("n_obs").asLong()).isGreaterThan(500);
    }

    @Test
    void logisticRegressionAndGlmEqualThePlainPath() {
        same(
                "logistic_regression",
                body(all(), List.of("lefthippocampus", "subjectageyears"), List.of("gender"), "positive_class", "M"));
        same(
                "glm",
                body(
                        all(),
                        List.of("lefthippocampus", "gender"),
                        List.of("minimentalstate"),
                        "family",
                        "poisson",
                        "link",
                        "log"));
    }

    @Test
    void correlationAndPcaEqualThePlainPath() {
        same(
                "pearson_correlation",
                body(
                        all(),
                        List.of(),
                        List.of("lefthippocampus", "righthippocampus", "leftamygdala", "subjectageyears")));
        same(
                "pca",
                body(
                        all(),
                        List.of(),
                        List.of("lefthippocampus", "righthippocampus", "leftamygdala", "rightamygdala")));
    }

    @Test
    void algorithmsThatNeedPerNodeAnswersAreRefusedWithTheListThatRuns() {
        Throwable thrown = catchThrowable(
                () -> run("descriptive_stats", body(all(), List.of(), List.of("lefthippocampus")), true));
        assertThat(thrown).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.detail()).contains("cannot run with flags.smpc").contains("logistic_regression");
        });
    }

    @Test
    void oneNodeIsNoSecureAggregation() {
        Throwable thrown = catchThrowable(() -> run(
                "linear_regression",
                body(NODES.get("north"), List.of("righthippocampus"), List.of("lefthippocampus")),
                true));
        assertThat(thrown).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.detail()).contains("over one node the sum is that node's own answer");
        });
    }
}
