package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.algorithms.ExpectedResults;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;

/**
 * Exareme2's {@code longitudinal_transformer} end to end: two nodes hold the longitudinal dementia
 * data, each pairs its own subjects' visits, and linear_regression over the transformed variables
 * equals an ordinary least-squares fit over visit pairs made here from the pooled CSV rows.
 */
class TestLongitudinalTransformer {
    private static final List<String> DATASETS =
            List.of("longitudinal_dementia0", "longitudinal_dementia1", "longitudinal_dementia2");

    @TempDir
    static Path dir;

    static Path data;
    static LocalFederation federation;

    @BeforeAll
    static void startFederation() {
        data = LocalFederation.extractData("longitudinal_dementia_v_0_1", dir.resolve("data"));
        federation = LocalFederation.create(dir.resolve("fed"), 0, 0);
        federation.addNode(
                "east",
                null,
                10,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"), List.of(data.resolve("longitudinal_dementia0.csv")))));
        federation.addNode(
                "west",
                null,
                10,
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"),
                        List.of(
                                data.resolve("longitudinal_dementia1.csv"),
                                data.resolve("longitudinal_dementia2.csv")))));
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(180), "east", "west");
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    void linearRegressionOverTransformedVariablesEqualsAPooledFit() throws IOException {
        ObjectNode request =
                request("BL", "FL1", Map.of("lefthippocampus", "diff", "leftamygdala", "first", "gender", "second"));
        JsonNode result = federation.admin().post("/algorithms/linear_regression", request);

        List<Map<String, String>> rows = rows();
        List<double[]> design = new ArrayList<>();
        List<Double> response = new ArrayList<>();
        for (Map<String, String> first : rows) {
            for (Map<String, String> second : rows) {
                if ("BL".equals(first.get("visitid"))
                        && "FL1".equals(second.get("visitid"))
                        && first.get("subjectid").equals(second.get("subjectid"))
                        && first.get("dataset").equals(second.get("dataset"))) {
                    design.add(new double[] {
                        "M".equals(second.get("gender")) ? 1 : 0, Double.parseDouble(first.get("leftamygdala"))
                    });
                    response.add(Double.parseDouble(second.get("lefthippocampus"))
                            - Double.parseDouble(first.get("lefthippocampus")));
                }
            }
        }
        OLSMultipleLinearRegression ols = new OLSMultipleLinearRegression();
        ols.newSampleData(
                response.stream().mapToDouble(Double::doubleValue).toArray(), design.toArray(new double[0][]));
        assertThat(result.path("n_obs").asLong()).isEqualTo(design.size());
        assertThat(result.path("indep_vars").toString()).isEqualTo("[\"Intercept\",\"gender[M]\",\"leftamygdala\"]");
        ExpectedResults.assertClose(
                "coefficients",
                Json.mapper().valueToTree(ols.estimateRegressionParameters()),
                result.path("coefficients"),
                ExpectedResults.DEFAULT);
        ExpectedResults.assertClose(
                "std_err",
                Json.mapper().valueToTree(ols.estimateRegressionParametersStandardErrors()),
                result.path("std_err"),
                ExpectedResults.DEFAULT);
        assertThat(result.path("contributing_nodes")).hasSize(2);
    }

    @Test
    void aTransformationThatDoesNotFitTheRequestIsRefusedNamingWhy() {
        assertThat(problem(
                        "linear_regression",
                        request("BL", "FL1", Map.of("lefthippocampus", "diff", "leftamygdala", "first"))))
                .contains("missing: gender");
        assertThat(problem(
                        "linear_regression",
                        request(
                                "BL",
                                "FL9",
                                Map.of("lefthippocampus", "diff", "leftamygdala", "first", "gender", "first"))))
                .contains("visit2")
                .contains("FL9");
        assertThat(problem(
                        "linear_regression",
                        request(
                                "BL",
                                "FL1",
                                Map.of("lefthippocampus", "diff", "leftamygdala", "first", "gender", "diff"))))
                .contains("nominal variable 'gender'");
        ObjectNode pca =
                request("BL", "FL1", Map.of("lefthippocampus", "diff", "leftamygdala", "first", "gender", "first"));
        assertThat(problem("descriptive_stats", pca)).contains("cannot precede descriptive_stats");
    }

    private static String problem(String algorithm, ObjectNode body) {
        Throwable thrown = catchThrowable(() -> federation.admin().post("/algorithms/" + algorithm, body));
        assertThat(thrown).isInstanceOf(Problem.class);
        assertThat(((Problem) thrown).status()).isEqualTo(400);
        return ((Problem) thrown).detail();
    }

    private static ObjectNode request(String visit1, String visit2, Map<String, String> strategies) {
        ObjectNode body = Json.mapper().createObjectNode();
        ObjectNode inputdata = body.putObject("inputdata");
        inputdata.put("data_model", "longitudinal_dementia:0.1");
        DATASETS.forEach(inputdata.putArray("datasets")::add);
        inputdata.putArray("y").add("lefthippocampus");
        inputdata.putArray("x").add("leftamygdala").add("gender");
        body.putObject("parameters");
        ObjectNode step = body.putObject("preprocessing").putObject("longitudinal_transformer");
        step.put("visit1", visit1).put("visit2", visit2);
        strategies.forEach(step.putObject("strategies")::put);
        return body;
    }

    /** The CSV rows (no quoted cells in this data), empty cells left out. */
    private static List<Map<String, String>> rows() throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        for (String dataset : DATASETS) {
            List<String> lines = Files.readAllLines(data.resolve(dataset + ".csv"));
            String[] header = lines.get(0).split(",", -1);
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                Map<String, String> row = new HashMap<>();
                for (int c = 0; c < header.length; c++) {
                    if (!cells[c].isEmpty()) {
                        row.put(header[c], cells[c]);
                    }
                }
                rows.add(row);
            }
        }
        return rows;
    }
}
