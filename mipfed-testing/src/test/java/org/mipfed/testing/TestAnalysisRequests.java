package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.node.privacy.PrivacyPolicy;

/**
 * Requests to the manager's REST API on a real federation (two nodes with the default privacy minimum
 * of 10 rows): a wrong request gets a 4xx problem that names the variable, parameter or node at
 * fault, and every result says how many rows it used, overall (n_obs) and per node.
 */
class TestAnalysisRequests {
    private static final List<String> NORTH = List.of(
            "edsd0",
            "edsd1",
            "edsd2",
            "edsd3",
            "edsd4",
            "desd-synthdata0",
            "desd-synthdata1",
            "desd-synthdata2",
            "desd-synthdata3",
            "desd-synthdata4");
    private static final List<String> SOUTH = List.of(
            "ppmi0",
            "ppmi1",
            "ppmi2",
            "ppmi3",
            "ppmi4",
            "edsd5",
            "edsd6",
            "edsd7",
            "desd-synthdata5",
            "desd-synthdata6");
    private static final List<String> ALL = concat(NORTH, SOUTH);

    @TempDir
    static Path dir;

    static LocalFederation federation;

    @BeforeAll
    static void startFederation() {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        // The default policy without its history: these tests run every algorithm over the same rows with overlapping
        // variables, and two of them (logistic_regression, kaplan_meier) have complete rows 9 apart in
        // alzheimerbroadcategory,
        // which the history rightly refuses (rule differencing; TestResearcherSubtractionAttacks covers that).
        PrivacyPolicy policy = PrivacyPolicy.DEFAULT.withoutHistory();
        federation.addNode(
                "north",
                null,
                policy,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"),
                        NORTH.stream().map(d -> data.resolve(d + ".csv")).toList())));
        federation.addNode(
                "south",
                null,
                policy,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"),
                        SOUTH.stream().map(d -> data.resolve(d + ".csv")).toList())));
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(180), "north", "south");
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    void aNominalVariableWhereANumericalOneIsNeededIsNamed() {
        refused("linear_regression", body(ALL, List.of("gender"), List.of("lefthippocampus")), "'gender'");
        refused("ttest_onesample", body(ALL, List.of("agegroup"), List.of()), "'agegroup'");
        refused("pearson_correlation", body(ALL, List.of("leftamygdala", "gender"), List.of()), "'gender'");
        refused(
                "kmeans",
                body(ALL, List.of("leftamygdala", "alzheimerbroadcategory"), List.of()),
                "'alzheimerbroadcategory'");
        refused(
                "kaplan_meier",
                body(ALL, List.of("gender"), List.of("alzheimerbroadcategory"), "event_level", "AD"),
                "'gender'");
    }

    @Test
    void aClassOrLevelThatDoesNotExistIsNamed() {
        refused(
                "logistic_regression",
                body(ALL, List.of("alzheimerbroadcategory"), List.of("leftamygdala"), "positive_class", "Dementia"),
                "Dementia");
        ObjectNode glm =
                body(ALL, List.of("alzheimerbroadcategory"), List.of("leftamygdala"), "positive_class", "Dementia");
        ((ObjectNode) glm.get("parameters")).put("family", "binomial");
        refused("glm", glm, "Dementia");
        refused(
                "kaplan_meier",
                body(ALL, List.of("subjectageyears"), List.of("alzheimerbroadcategory"), "event_level", "dead"),
                "dead");
        ObjectNode ttest = body(ALL, List.of("leftamygdala"), List.of("gender"), "groupA", "M");
        ((ObjectNode) ttest.get("parameters")).put("groupB", "X");
        refused("ttest_independent", ttest, "groupB");
    }

    @Test
    void moreClustersThanRowsIsRefused() {
        // edsd0 holds 15 rows with both volumes: enough for the node's minimum, too few for 20 clusters.
        ObjectNode request = body(List.of("edsd0"), List.of("lefthippocampus", "leftamygdala"), List.of(), "k", 20);
        refused("kmeans", request, "'k'");
        Problem problem = problem("kmeans", request);
        assertThat(problem.detail()).contains("20 clusters").contains("only 15 rows");
    }

    @Test
    void aSingularDesignNamesTheCovariate() {
        // Among the north's rows of age 70, age is constant: it cannot be told from the intercept.
        ObjectNode constant = body(NORTH, List.of("lefthippocampus"), List.of("subjectageyears", "leftamygdala"));
        filter(constant, "subjectageyears", "equal", 70);
        refused("linear_regression", constant, "subjectageyears");
        ObjectNode logistic = body(
                NORTH,
                List.of("alzheimerbroadcategory"),
                List.of("leftamygdala", "subjectageyears"),
                "positive_class",
                "AD");
        filter(logistic, "subjectageyears", "equal", 70);
        refused("logistic_regression", logistic, "subjectageyears");
        ObjectNode glm = body(NORTH, List.of("lefthippocampus"), List.of("subjectageyears"), "family", "poisson");
        filter(glm, "subjectageyears", "equal", 70);
        refused("glm", glm, "subjectageyears");
        refused(
                "linear_regression",
                body(ALL, List.of("lefthippocampus"), List.of("leftamygdala", "leftamygdala")),
                "'leftamygdala'");
    }

    @Test
    void survivalBinsTooFineForANodesMinimumAreRefusedNamingTheNode() {
        ObjectNode request =
                body(ALL, List.of("subjectageyears"), List.of("alzheimerbroadcategory", "gender"), "event_level", "AD");
        // without joining sparse bins (on by default: the node would join them to the next ones)
        ((ObjectNode) request.get("parameters")).put("join_sparse_bins", false);
        Problem problem = problem("kaplan_meier", request);
        assertThat(problem.status()).isBetween(400, 499);
        assertThat(problem.detail())
                .containsAnyOf("north", "south")
                .contains("min_rows")
                .contains("bin_width");
        // over the wire as fields too: a client branches on the code and the rule, not on the text
        assertThat(problem.code()).isEqualTo("refused_by_node");
        assertThat(problem.extensions()).containsEntry("rule", "min_rows");
        assertThat(problem.extensions().get("node")).isIn("north", "south");
        ((ObjectNode) request.get("parameters")).put("bin_width", 100);
        JsonNode result = federation.admin().post("/algorithms/kaplan_meier", request);
        assertThat(result.path("curves")).hasSize(2);
        assertThat(result.path("logrank").path("df").asInt()).isEqualTo(1);
    }

    @Test
    void everyResultSaysHowManyRowsItUsedOverallAndPerNode() {
        Map<String, ObjectNode> requests = new LinkedHashMap<>();
        requests.put("descriptive_stats", body(ALL, List.of("leftamygdala", "gender"), List.of()));
        requests.put("linear_regression", body(ALL, List.of("lefthippocampus"), List.of("leftamygdala", "gender")));
        requests.put(
                "logistic_regression",
                body(ALL, List.of("alzheimerbroadcategory"), List.of("leftamygdala"), "positive_class", "AD"));
        requests.put("glm", body(ALL, List.of("minimentalstate"), List.of("leftamygdala"), "family", "poisson"));
        requests.put("pearson_correlation", body(ALL, List.of("leftamygdala", "lefthippocampus"), List.of()));
        requests.put("pca", body(ALL, List.of("leftamygdala", "lefthippocampus", "rightamygdala"), List.of()));
        requests.put("multiple_histograms", body(ALL, List.of("leftamygdala"), List.of("gender"), "bins", 3));
        requests.put("kmeans", body(ALL, List.of("leftamygdala", "lefthippocampus"), List.of(), "k", 3));
        requests.put("ttest_onesample", body(ALL, List.of("leftamygdala"), List.of(), "mu", 1));
        ObjectNode independent = body(ALL, List.of("leftamygdala"), List.of("gender"), "groupA", "M");
        ((ObjectNode) independent.get("parameters")).put("groupB", "F");
        requests.put("ttest_independent", independent);
        requests.put("ttest_paired", body(ALL, List.of("leftamygdala"), List.of("rightamygdala")));
        requests.put("anova_oneway", body(ALL, List.of("leftamygdala"), List.of("agegroup")));
        requests.put("anova", body(ALL, List.of("leftamygdala"), List.of("agegroup", "gender")));
        requests.put(
                "kaplan_meier",
                body(ALL, List.of("subjectageyears"), List.of("alzheimerbroadcategory"), "event_level", "AD"));
        ((ObjectNode) requests.get("kaplan_meier").get("parameters")).put("bin_width", 100);
        for (Map.Entry<String, ObjectNode> request : requests.entrySet()) {
            JsonNode result = federation.admin().post("/algorithms/" + request.getKey(), request.getValue());
            long rows = 0;
            for (JsonNode node : result.path("contributing_nodes")) {
                assertThat(node.path("rows").asLong())
                        .as(request.getKey() + " rows of " + node)
                        .isPositive();
                rows += node.path("rows").asLong();
            }
            assertThat(result.path("contributing_nodes")).as(request.getKey()).hasSize(2);
            // At the top, or where Exareme2's shape puts it (logistic_regression: in its summary).
            JsonNode nObs = result.findValue("n_obs");
            assertThat(nObs != null && nObs.isIntegralNumber())
                    .as(request.getKey() + " has n_obs: " + result)
                    .isTrue();
            assertThat(nObs.asLong()).as(request.getKey()).isPositive().isLessThanOrEqualTo(rows);
        }
    }

    private static void refused(String algorithm, ObjectNode body, String named) {
        Problem problem = problem(algorithm, body);
        assertThat(problem.status()).as(problem.detail()).isEqualTo(400);
        assertThat(problem.detail()).contains(named);
    }

    private static Problem problem(String algorithm, ObjectNode body) {
        Throwable thrown = catchThrowable(() -> federation.admin().post("/algorithms/" + algorithm, body));
        assertThat(thrown).as(algorithm + " " + body).isInstanceOf(Problem.class);
        return (Problem) thrown;
    }

    private static ObjectNode body(List<String> datasets, List<String> y, List<String> x) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "dementia:0.1");
        datasets.forEach(inputdata.putArray("datasets")::add);
        y.forEach(inputdata.putArray("y")::add);
        x.forEach(inputdata.putArray("x")::add);
        body.putObject("parameters");
        return body;
    }

    private static ObjectNode body(
            List<String> datasets, List<String> y, List<String> x, String parameter, Object value) {
        ObjectNode body = body(datasets, y, x);
        ((ObjectNode) body.get("parameters")).set(parameter, Json.mapper().valueToTree(value));
        return body;
    }

    private static void filter(ObjectNode body, String variable, String operator, Object value) {
        ObjectNode filters = ((ObjectNode) body.get("inputdata")).putObject("filters");
        filters.put("condition", "AND");
        ObjectNode rule = filters.putArray("rules").addObject();
        rule.put("id", variable).put("field", variable).put("operator", operator);
        rule.set("value", Json.mapper().valueToTree(value));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
