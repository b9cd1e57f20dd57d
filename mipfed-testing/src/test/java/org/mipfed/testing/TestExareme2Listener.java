package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mipfed.testing.PortalBackendDtos.GSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.reflect.TypeToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.testing.PortalBackendDtos.AlgorithmSpecification;
import org.mipfed.testing.PortalBackendDtos.CdeMetadata;
import org.mipfed.testing.PortalBackendDtos.CommonDataElement;
import org.mipfed.testing.PortalBackendDtos.DataModelAttributes;
import org.mipfed.testing.PortalBackendDtos.FrontendAlgorithm;
import org.mipfed.testing.PortalBackendDtos.MetadataGroup;

/**
 * The MIP portal-backend against a real three-node federation (manager and node processes, mutual TLS on loopback)
 * through the Exareme2 listener ({@code --exareme2-api}): its calls with no credentials, its DTOs parsed with Gson and
 * converted as it converts them, its request bodies as it serialises them, and Exareme2's statuses with a text message
 * for every error it must show a researcher.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestExareme2Listener {
    private static final String MODEL = "dementia:0.1";
    /** The hospitals and the datasets they hold (two CSV files each, to keep the federation small). */
    private static final Map<String, List<String>> HOSPITALS = Map.of(
            "chuv", List.of("edsd0", "edsd1"),
            "epfl", List.of("ppmi0", "ppmi1"),
            "uoa", List.of("desd-synthdata0", "desd-synthdata1"));

    private static final String ALL_DATASETS = "edsd0,edsd1,ppmi0,ppmi1,desd-synthdata0,desd-synthdata1";
    /** The frontend's query-builder output for "MMSE ≥ 20 and female", as a string the portal-backend reads with Gson. */
    private static final String FILTER = "{\"condition\":\"AND\",\"rules\":["
            + "{\"id\":\"minimentalstate\",\"field\":\"minimentalstate\",\"type\":\"integer\",\"input\":\"number\","
            + "\"operator\":\"greater_or_equal\",\"value\":20},"
            + "{\"id\":\"gender\",\"field\":\"gender\",\"type\":\"string\",\"input\":\"select\","
            + "\"operator\":\"equal\",\"value\":\"F\"}],\"valid\":true}";

    @TempDir
    static Path dir;

    static LocalFederation federation;
    static String base;
    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void createFederation() {
        int port = freePort();
        base = "http://127.0.0.1:" + port;
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        federation = LocalFederation.create(
                dir.resolve("fed"),
                0,
                0,
                List.of("--exareme2-api", "127.0.0.1:" + port, "--exareme2-user-header", "X-Portal-User"));
        HOSPITALS.forEach((alias, datasets) -> federation.addNode(
                alias,
                null,
                PrivacyPolicy.minRowsOnly(10),
                List.of(new LocalFederation.DataImport(
                        data.resolve("CDEsMetadata.json"),
                        datasets.stream().map(d -> data.resolve(d + ".csv")).toList()))));
        federation.start("all");
        federation.awaitReady(Duration.ofSeconds(90), "chuv", "epfl", "uoa");
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    /** A response as the portal-backend's HTTPUtil reads it: the status and the body as text. */
    record Answer(int status, String body) {}

    static Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    static Answer post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)));
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = HTTP.send(
                    request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Answer ok(Answer answer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        return answer;
    }

    static String body(String datasets, String x, String y, String filter, Map<String, Object> parameters) {
        return GSON.toJson(
                PortalBackendDtos.request(UUID.randomUUID().toString(), MODEL, datasets, x, y, filter, parameters));
    }

    @Test
    @Order(1)
    void everyAlgorithmParsesAndConvertsForTheFrontendWithoutCredentials() {
        Answer answer = ok(get("/algorithms"));
        List<AlgorithmSpecification> specs =
                GSON.fromJson(answer.body(), new TypeToken<List<AlgorithmSpecification>>() {}.getType());
        List<String> offered = new ArrayList<>();
        federation
                .admin()
                .get("/algorithms")
                .forEach(a -> offered.add(a.path("name").asText()));
        assertThat(specs).extracting(AlgorithmSpecification::name).containsExactlyInAnyOrderElementsOf(offered);
        assertThat(offered).contains("linear_regression", "logistic_regression", "glm", "kaplan_meier");
        for (AlgorithmSpecification spec : specs) {
            FrontendAlgorithm converted = FrontendAlgorithm.of(spec);
            assertThat(converted.parameters())
                    .as(spec.name())
                    .extracting(p -> p.name())
                    .contains("pathology", "dataset", "filter", "y");
            assertThat(spec.inputdata().data_model().types()).containsExactly("text");
            assertThat(spec.inputdata().filter().types()).containsExactly("jsonObject");
        }
        // the raw shape: Exareme2's fields, type exareme2 for all, no internal fields
        for (JsonNode spec : read(answer.body())) {
            assertThat(iterable(spec.fieldNames()))
                    .as(spec.path("name").asText())
                    .containsExactlyInAnyOrder(
                            "name", "label", "desc", "type", "inputdata", "parameters", "preprocessing", "flags");
            assertThat(spec.path("type").asText()).isEqualTo("exareme2");
        }
        AlgorithmSpecification logistic = specs.stream()
                .filter(s -> s.name().equals("logistic_regression"))
                .findFirst()
                .orElseThrow();
        assertThat(logistic.parameters().get("positive_class").enums().source()).containsExactly("y");
        AlgorithmSpecification cv = specs.stream()
                .filter(s -> s.name().equals("linear_regression_cv"))
                .findFirst()
                .orElseThrow();
        assertThat(cv.parameters().get("n_splits").min()).isNotNull();
        assertThat(cv.parameters().get("n_splits").max()).isNotNull();
        assertThat(specs.stream().filter(s -> !s.preprocessing().isEmpty()))
                .as("the longitudinal transformer is offered")
                .isNotEmpty();
        // the same route on the main port still needs credentials
        assertThat(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + federation.httpPort() + "/algorithms"))
                                .GET())
                        .status())
                .isEqualTo(401);
    }

    @Test
    @Order(2)
    void theDataModelsAndDatasetsAreThoseTheNodesHold() {
        Map<String, DataModelAttributes> attributes = GSON.fromJson(
                ok(get("/data_models_attributes")).body(),
                new TypeToken<Map<String, DataModelAttributes>>() {}.getType());
        assertThat(attributes).containsOnlyKeys(MODEL);
        var hierarchy = attributes.get(MODEL).properties().get("cdes").get(0);
        assertThat(hierarchy.code()).isEqualTo("dementia");
        assertThat(hierarchy.version()).isEqualTo("0.1");
        CommonDataElement dataset = find(hierarchy.variables(), hierarchy.groups(), "dataset");
        assertThat(dataset).as("the hierarchy holds the dataset variable").isNotNull();
        assertThat(codes(dataset.enumerations())).isEqualTo(held());
        assertThat(find(hierarchy.variables(), hierarchy.groups(), "lefthippocampus")
                        .sql_type())
                .isEqualTo("real");

        assertThat(cdesDatasets()).isEqualTo(held());
        assertThat(datasetsVariables().keySet()).isEqualTo(held());
        assertThat(datasetsVariables().get("edsd0")).contains("lefthippocampus", "gender", "dataset");

        JsonNode datasets = read(ok(get("/datasets")).body());
        assertThat(new TreeSet<>(strings(datasets.path(MODEL)))).isEqualTo(held());
        JsonNode locations = read(ok(get("/datasets_locations")).body());
        assertThat(locations.path(MODEL).path("ppmi0").asText()).isEqualTo("epfl");
        assertThat(ok(post("/wla", "")).body()).isEmpty();
        assertThat(get("/healthcheck").status()).isEqualTo(200);
    }

    @Test
    @Order(3)
    void regressionsWithAQueryBuilderFilterGiveTheNumbersOfTheMainApi() {
        String linear = body(ALL_DATASETS, "lefthippocampus,agegroup", "righthippocampus", FILTER, Map.of());
        assertThat(linear)
                .as("serialised as the portal-backend does")
                .contains("\"value\":20.0")
                .contains("\"preprocessing\":{}")
                .contains("\"type\":\"exareme2\"");
        JsonNode listener =
                read(ok(post("/algorithms/linear_regression", linear)).body());
        JsonNode main = federation.admin().post("/algorithms/linear_regression", read(linear));
        assertThat(listener.path("coefficients")).isEqualTo(main.path("coefficients"));
        assertThat(listener.path("n_obs")).isEqualTo(main.path("n_obs"));
        assertThat(listener.path("n_obs").asInt()).isPositive();

        // x left out is sent as an explicit null; a single parameter value as a scalar
        String logistic = body(
                ALL_DATASETS,
                "lefthippocampus,righthippocampus",
                "alzheimerbroadcategory",
                FILTER,
                Map.of("positive_class", "AD"));
        assertThat(logistic).contains("\"positive_class\":\"AD\"");
        JsonNode listenerLogistic =
                read(ok(post("/algorithms/logistic_regression", logistic)).body());
        JsonNode mainLogistic = federation.admin().post("/algorithms/logistic_regression", read(logistic));
        assertThat(listenerLogistic.path("summary").path("coefficients"))
                .isEqualTo(mainLogistic.path("summary").path("coefficients"));
        assertThat(listenerLogistic.path("summary").path("n_obs").asInt()).isPositive();

        String nullX = body(ALL_DATASETS, null, "righthippocampus", null, Map.of());
        assertThat(nullX).contains("\"x\":null").contains("\"filters\":null");
        ok(post("/algorithms/descriptive_stats", nullX));
        // a trusted proxy in front of the listener names the portal user: the nodes see exareme2-api:alice
        ok(send(HttpRequest.newBuilder(URI.create(base + "/algorithms/descriptive_stats"))
                .header("Content-Type", "application/json")
                .header("X-Portal-User", "alice")
                .POST(HttpRequest.BodyPublishers.ofString(nullX, StandardCharsets.UTF_8))));
    }

    @Test
    @Order(4)
    void errorsComeWithExareme2sStatusesAndATextMessage() {
        Answer unknownVariable = post(
                "/algorithms/linear_regression",
                body(ALL_DATASETS, "nosuchvariable", "righthippocampus", null, Map.of()));
        assertThat(unknownVariable.status()).isEqualTo(460);
        assertThat(unknownVariable.body()).contains("nosuchvariable").contains("not in the data model");
        assertPlainText(unknownVariable);

        String empty = "{\"condition\":\"AND\",\"rules\":[{\"id\":\"minimentalstate\",\"field\":\"minimentalstate\","
                + "\"type\":\"integer\",\"input\":\"number\",\"operator\":\"greater\",\"value\":30}],\"valid\":true}";
        Answer noRows = post(
                "/algorithms/linear_regression",
                body(ALL_DATASETS, "lefthippocampus", "righthippocampus", empty, Map.of()));
        assertThat(noRows.status()).as(noRows.body()).isEqualTo(461);
        assertThat(noRows.body()).contains("No row").contains("after the filters");
        assertPlainText(noRows);

        // MMSE ≥ 29.5 leaves 6 rows of edsd0 and edsd1 on chuv, fewer than its minimum of 10
        String few = "{\"condition\":\"AND\",\"rules\":[{\"id\":\"minimentalstate\",\"field\":\"minimentalstate\","
                + "\"type\":\"double\",\"input\":\"number\",\"operator\":\"greater_or_equal\",\"value\":29.5}],"
                + "\"valid\":true}";
        Answer tooFew = post(
                "/algorithms/linear_regression",
                body("edsd0,edsd1", "lefthippocampus", "righthippocampus", few, Map.of()));
        assertThat(tooFew.status()).as(tooFew.body()).isEqualTo(461);
        assertThat(tooFew.body()).contains("chuv").contains("(rule ");

        Answer unknownAlgorithm =
                post("/algorithms/no_such_algorithm", body(ALL_DATASETS, null, "righthippocampus", null, Map.of()));
        assertThat(unknownAlgorithm.status()).isEqualTo(400);
        assertThat(unknownAlgorithm.body()).contains("no_such_algorithm");

        Answer malformed = post("/algorithms/linear_regression", "{\"inputdata\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body()).contains("not valid JSON");

        Answer unknownDataset = post(
                "/algorithms/descriptive_stats", body("edsd0,nosuchdataset", null, "righthippocampus", null, Map.of()));
        assertThat(unknownDataset.status()).isEqualTo(460);
        assertThat(unknownDataset.body()).contains("nosuchdataset");
    }

    @Test
    @Order(5)
    void aNodeFrozenMidAnalysisIsReportedAsExareme2Does() {
        // Exareme2's own request DTO takes flags; a short deadline keeps the test short
        ObjectNode request =
                (ObjectNode) read(body(ALL_DATASETS, "lefthippocampus", "righthippocampus", null, Map.of()));
        request.putObject("flags").put("timeout", 6);
        federation.pauseNode("uoa");
        try {
            Answer frozen = post("/algorithms/linear_regression", request.toString());
            assertThat(frozen.status()).as(frozen.body()).isIn(512, 513);
            assertThat(frozen.body()).contains("uoa");
            assertPlainText(frozen);
        } finally {
            federation.resumeNode("uoa");
        }
        federation.awaitReady(Duration.ofSeconds(30), "uoa");
    }

    @Test
    @Order(6)
    void aStoppedNodesDatasetsLeaveTheCatalogueAndAreRefusedWith460() {
        federation.stopNode("uoa", true);
        LocalFederation.await(
                Duration.ofSeconds(20),
                "uoa's datasets to leave /cdes_metadata",
                () -> !cdesDatasets().contains("desd-synthdata0"));
        Set<String> remaining = new TreeSet<>(List.of("edsd0", "edsd1", "ppmi0", "ppmi1"));
        assertThat(cdesDatasets()).isEqualTo(remaining);
        assertThat(datasetsVariables().keySet()).isEqualTo(remaining);

        Answer stopped = post(
                "/algorithms/descriptive_stats",
                body("edsd0,desd-synthdata0", null, "righthippocampus", null, Map.of()));
        assertThat(stopped.status()).as(stopped.body()).isEqualTo(460);
        assertThat(stopped.body()).contains("desd-synthdata0").contains("uoa");
    }

    @Test
    @Order(7)
    void everyAnalysisIsInTheAuditTrailAsExareme2ApiWithItsAddress() {
        List<JsonNode> lines = new ArrayList<>();
        federation.admin().get("/admin/audit?limit=200").forEach(line -> {
            if (line.path("user").asText().startsWith("exareme2-api")) {
                lines.add(line);
            }
        });
        assertThat(lines).anySatisfy(l -> assertThat(l.path("user").asText()).isEqualTo("exareme2-api:alice"));
        assertThat(lines).isNotEmpty();
        for (JsonNode line : lines) {
            assertThat(line.path("action").asText()).isEqualTo("analysis.run");
            assertThat(line.path("details").path("client").asText()).isEqualTo("exareme2-api");
            assertThat(line.path("details").path("remote_address").asText()).isEqualTo("127.0.0.1");
        }
        assertThat(lines)
                .anySatisfy(l -> assertThat(l.path("outcome").asText()).isEqualTo("ok"))
                .anySatisfy(l ->
                        assertThat(l.path("details").path("status").asInt()).isEqualTo(461))
                .anySatisfy(l ->
                        assertThat(l.path("details").path("algorithm").asText()).isEqualTo("logistic_regression"));
    }

    @Test
    @Order(8)
    void aPublicOrWildcardAddressIsRefusedWithoutTheExplicitFlag() throws Exception {
        for (String address : List.of("0.0.0.0:0", "8.8.8.8:0")) {
            Path log = dir.resolve("refused-" + address.replace(':', '-') + ".log");
            // the federation's own data directory: the check comes before anything listens or is opened
            Process manager = LocalFederation.launch(
                    log,
                    "manager",
                    "start",
                    "--data-dir",
                    federation.managerPaths().dataDir().toString(),
                    "--exareme2-api",
                    address);
            assertThat(manager.waitFor(60, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            String output = Files.readString(log);
            assertThat(manager.exitValue()).as(output).isNotZero();
            assertThat(output).contains("--exareme2-api-public").contains("asks for no credentials");
        }
    }

    static JsonNode read(String json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertPlainText(Answer answer) {
        assertThat(answer.body()).doesNotStartWith("{").isNotBlank();
    }

    private static Set<String> held() {
        Set<String> out = new TreeSet<>();
        HOSPITALS.values().forEach(out::addAll);
        return out;
    }

    private static Set<String> cdesDatasets() {
        Map<String, Map<String, CdeMetadata>> cdes = GSON.fromJson(
                ok(get("/cdes_metadata")).body(), new TypeToken<Map<String, Map<String, CdeMetadata>>>() {}.getType());
        assertThat(cdes).containsOnlyKeys(MODEL);
        return new TreeSet<>(cdes.get(MODEL).get("dataset").enumerations().keySet());
    }

    private static Map<String, List<String>> datasetsVariables() {
        Map<String, Map<String, List<String>>> variables = GSON.fromJson(
                ok(get("/datasets_variables")).body(),
                new TypeToken<Map<String, Map<String, List<String>>>>() {}.getType());
        return new LinkedHashMap<>(variables.get(MODEL));
    }

    private static CommonDataElement find(List<CommonDataElement> variables, List<MetadataGroup> groups, String code) {
        for (CommonDataElement v : variables == null ? List.<CommonDataElement>of() : variables) {
            if (v.code().equals(code)) {
                return v;
            }
        }
        for (MetadataGroup g : groups == null ? List.<MetadataGroup>of() : groups) {
            CommonDataElement found = find(g.variables(), g.groups(), code);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static Set<String> codes(List<PortalBackendDtos.Enumeration> enumerations) {
        Set<String> out = new TreeSet<>();
        enumerations.forEach(e -> out.add(e.code()));
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> out = new ArrayList<>();
        names.forEachRemaining(out::add);
        return out;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
