package org.mipfed.manager.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.LoopbackManager;

/**
 * Every problem the manager's API writes has the type's urn, its title, status, detail, instance and code, so that
 * a client branches on {@code code}; a node's refusal reaches the client with the node and the rule as fields, both
 * at once ({@code POST /algorithms}) and in a stored experiment. A real manager with a real node over mutual TLS.
 */
class TestProblemDocuments {
    /** edsd0's rows of age 70 are too few for a model of three parameters: the node refuses (rule max_parameter_ratio). */
    private static final String TOO_FEW_ROWS =
            "{\"inputdata\": {\"data_model\": \"dementia:0.1\", \"datasets\": [\"edsd0\"], "
                    + "\"y\": [\"lefthippocampus\"], \"x\": [\"righthippocampus\"], \"filters\": {\"condition\": \"AND\", \"rules\": [{\"id\": "
                    + "\"subjectageyears\", \"field\": \"subjectageyears\", \"operator\": \"equal\", \"value\": 70}]}}, \"parameters\": {}}";

    @TempDir
    static Path directory;

    static LoopbackManager manager;

    @BeforeAll
    static void startFederation() {
        manager = LoopbackManager.start(directory.resolve("manager"));
        manager.withNode(directory.resolve("node"), "chuv", "edsd0.csv");
    }

    @AfterAll
    static void stopFederation() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aNodesRefusalReachesTheClientWithItsNodeAndRuleAsFields() {
        HttpResponse<String> response = manager.post("/algorithms/linear_regression", TOO_FEW_ROWS);
        JsonNode problem = typed(response, ProblemType.REFUSED_BY_NODE);
        assertThat(problem.path("node").asText()).isEqualTo("chuv");
        assertThat(problem.path("rule").asText()).isEqualTo("max_parameter_ratio");
        assertThat(problem.path("instance").asText()).isEqualTo("/algorithms/linear_regression");
        // the text still says it for a person, the fields say it for a program
        assertThat(problem.path("detail").asText()).startsWith("Node chuv refused (max_parameter_ratio)");
    }

    @Test
    void aRefusedExperimentKeepsTheRefusalsCodeNodeAndRule() throws InterruptedException {
        HttpResponse<String> submitted = manager.post(
                "/experiments", TOO_FEW_ROWS.replaceFirst("\\{", "{\"algorithm\": \"linear_regression\", "));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = json(submitted).path("id").asText();
        JsonNode experiment = json(manager.get("/experiments/" + id));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!experiment.path("status").asText().equals("error") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            experiment = json(manager.get("/experiments/" + id));
        }
        JsonNode error = experiment.path("error");
        assertThat(error.path("code").asText()).as(experiment.toString()).isEqualTo("refused_by_node");
        assertThat(error.path("type").asText()).isEqualTo("urn:mipfed:problem:refused_by_node");
        assertThat(error.path("status").asInt()).isEqualTo(400);
        assertThat(error.path("instance").asText()).isEqualTo("/experiments/" + id);
        assertThat(error.path("node").asText()).isEqualTo("chuv");
        assertThat(error.path("rule").asText()).isEqualTo("max_parameter_ratio");
        // the list shows the same error
        assertThat(json(manager.get("/experiments")))
                .anySatisfy(
                        e -> assertThat(e.path("error").path("rule").asText()).isEqualTo("max_parameter_ratio"));
    }

    @Test
    void failuresBeforeAndOutsideTheHandlersAreTypedProblemsToo() throws IOException {
        typed(manager.get("/no/such/route"), ProblemType.NOT_FOUND);
        typed(
                manager.send(
                        HttpRequest.newBuilder(manager.uri("/datasets")).GET().build()),
                ProblemType.UNAUTHORIZED);
        typed(manager.get("/experiments/no-such-experiment"), ProblemType.NOT_FOUND);
        typed(manager.get("/admin/join-tokens/nobody"), ProblemType.NOT_FOUND);
        typed(manager.get("/admin/audit?limit=0"), ProblemType.INVALID_REQUEST);
        typed(manager.post("/algorithms/linear_regression", "{\"inputdata\": "), ProblemType.INVALID_REQUEST);
        // Jetty's own refusals, before any handler: headers too large, a URL that cannot be decoded
        typed(
                manager.send(manager.request("/datasets")
                        .header("X-Padding", "x".repeat(RequestLimits.HEADER_BYTES))
                        .GET()
                        .build()),
                ProblemType.HEADERS_TOO_LARGE);
        String raw = raw("GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 400");
        JsonNode undecodable = Json.mapper().readTree(raw.substring(raw.indexOf("\r\n\r\n") + 4));
        assertThat(undecodable.path("code").asText()).as(raw).isEqualTo("invalid_request");
        assertThat(undecodable.path("type").asText()).isEqualTo("urn:mipfed:problem:invalid_request");
    }

    /** Checks the problem document's standard members against {@code expected}; returns it for its fields. */
    private static JsonNode typed(HttpResponse<String> response, ProblemType expected) {
        String where = response.request().method() + " " + response.uri().getRawPath() + " answered "
                + response.statusCode() + " " + response.body();
        assertThat(response.statusCode()).as(where).isEqualTo(expected.status());
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(where)
                .startsWith("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.path("type").asText()).as(where).isEqualTo("urn:mipfed:problem:" + expected.code());
        assertThat(problem.path("code").asText()).as(where).isEqualTo(expected.code());
        assertThat(problem.path("title").asText()).as(where).isEqualTo(expected.title());
        assertThat(problem.path("status").asInt()).as(where).isEqualTo(expected.status());
        assertThat(problem.path("detail").asText()).as(where).isNotBlank();
        return problem;
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** A request Java's HTTP client refuses to send (an undecodable URL), written on a socket. */
    private static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", manager.uri("/").getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
