package org.mipfed.manager.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.manager.LoopbackManager;
import org.mipfed.node.NodeConfig;

/**
 * Random and mutated request bodies against a real manager with a real node: whatever arrives, the answer is a
 * success or a 4xx RFC 9457 problem with a message and a known type and code, never a 5xx, never a stack trace or a Java class name. Seeded:
 * a failure names the seed and the request ({@code -Dmipfed.fuzz.seed=N -Dmipfed.fuzz.cases=N} to replay or widen).
 */
class TestRequestBodyFuzzing {
    private static final long SEED = Long.getLong("mipfed.fuzz.seed", 20261125L);
    private static final int CASES = Integer.getInteger("mipfed.fuzz.cases", 150);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern LEAK = Pattern.compile(
            "Exception|\\bat (java|org|com|io)\\.|org\\.mipfed|java\\.(lang|util|io)|com\\.fasterxml"
                    + "|io\\.javalin|eclipse\\.jetty|NullPointer|IllegalState|IllegalArgument|ClassCast|IndexOutOfBounds|NumberFormat");
    private static final List<String> VARIABLES = List.of(
            "lefthippocampus",
            "righthippocampus",
            "leftamygdala",
            "rightamygdala",
            "gender",
            "agegroup",
            "alzheimerbroadcategory",
            "subjectageyears",
            "dataset",
            "minimentalstate",
            "neurodegenerativescategories");
    private static final List<String> STRANGE = List.of(
            "",
            " ",
            "x' OR '1'='1",
            "\"; DROP TABLE data; --",
            "../../etc/passwd",
            "\u0000",
            "\uD83D\uDE00",
            "é",
            "\u202E",
            "NaN",
            "Infinity",
            "-0",
            "null",
            "__proto__",
            "%s%n",
            "${jndi:ldap://x}",
            "<script>",
            "lefthippocampus\"",
            "a".repeat(300));

    @TempDir
    static Path directory;

    static LoopbackManager manager;
    static String nodeId;
    static List<String> algorithms = new ArrayList<>();
    static ObjectNode specs = F.objectNode();
    static final Map<String, Integer> ANSWERS = new java.util.TreeMap<>();
    static final Map<String, Integer> CODES = new java.util.concurrent.ConcurrentSkipListMap<>();

    @BeforeAll
    static void startFederation() throws Exception {
        manager = LoopbackManager.start(directory.resolve("manager"));
        nodeId = NodeConfig.load(manager.withNode(directory.resolve("node"), "chuv", "edsd0.csv", "ppmi0.csv"))
                .nodeId();
        for (JsonNode spec : Json.mapper().readTree(manager.get("/algorithms").body())) {
            algorithms.add(spec.path("name").asText());
            specs.set(spec.path("name").asText(), spec);
        }
        assertThat(algorithms).contains("linear_regression", "descriptive_stats");
    }

    @AfterAll
    static void stopFederation() {
        System.out.println("problem codes answered: " + CODES);
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aValidRequestStillSucceeds() {
        HttpResponse<String> response = manager.post(
                "/algorithms/linear_regression",
                "{\"inputdata\": {\"data_model\": \"dementia:0.1\","
                        + " \"datasets\": [\"edsd0\", \"ppmi0\"], \"y\": [\"lefthippocampus\"], \"x\": [\"righthippocampus\", \"gender\"]}, \"parameters\": {}}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void mutatedAnalysisRequests() {
        Random random = new Random(SEED);
        for (int i = 0; i < CASES; i++) {
            String algorithm =
                    random.nextInt(10) == 0 ? pick(random, STRANGE).replace("/", "") : pick(random, algorithms);
            JsonNode body = mutate(random, validBody(random, algorithm), random.nextInt(4));
            String path = "/algorithms/"
                    + java.net.URLEncoder.encode(algorithm, StandardCharsets.UTF_8)
                            .replace("+", "%20");
            HttpResponse<String> response = manager.post(path, body.toString());
            check(i, "POST " + path, body.toString(), response);
            String detail = response.statusCode() == 200
                    ? ""
                    : parse(response.body(), "").path("detail").asText();
            String kind = detail.replaceAll("'[^']*'", "'…'").replaceAll("\\d+", "N");
            ANSWERS.merge(
                    response.statusCode() + " " + kind.substring(0, Math.min(kind.length(), 50)), 1, Integer::sum);
        }
        // the bodies get past the first checks: they reach the algorithms' own checks of their variables (or run:
        // random variables seldom suit an algorithm, so how many run depends on the catalogue and the seed), and many
        // different rules refuse them
        ANSWERS.forEach((answer, count) -> System.out.println(count + "\t" + answer));
        assertThat(ANSWERS.keySet())
                .anyMatch(
                        a -> a.startsWith("200") || algorithms.stream().anyMatch(n -> a.startsWith("400 " + n + " ")));
        assertThat(ANSWERS.keySet().stream().filter(a -> a.startsWith("4")).count())
                .isGreaterThan(15);
    }

    @Test
    void mutatedExperimentSubmissions() {
        Random random = new Random(SEED + 1);
        for (int i = 0; i < CASES; i++) {
            ObjectNode body = validBody(random, pick(random, algorithms));
            body.set(
                    "algorithm",
                    random.nextInt(5) == 0 ? randomValue(random, 0) : F.textNode(pick(random, algorithms)));
            JsonNode mutated = mutate(random, body, 1 + random.nextInt(3));
            check(i, "POST /experiments", mutated.toString(), manager.post("/experiments", mutated.toString()));
        }
    }

    @Test
    void randomAdminBodies() {
        Random random = new Random(SEED + 2);
        for (int i = 0; i < CASES; i++) {
            String body;
            String path;
            switch (random.nextInt(4)) {
                case 0 -> {
                    path = "/admin/nodes/" + (random.nextBoolean() ? "chuv" : "nowhere") + "/labels";
                    body = mutate(
                                    random,
                                    Json.mapper()
                                            .createObjectNode()
                                            .set("add", F.objectNode().put("name", pick(random, STRANGE))),
                                    random.nextInt(3))
                            .toString();
                }
                case 1 -> {
                    path = random.nextBoolean() ? "/admin/start" : "/admin/stop";
                    ObjectNode valid = F.objectNode();
                    valid.putArray("nodes").add(random.nextBoolean() ? "chuv" : pick(random, STRANGE));
                    body = mutate(random, valid, random.nextInt(3)).toString();
                }
                case 2 -> {
                    path = "/admin/join-tokens/" + (random.nextBoolean() ? "worker" : "x" + random.nextInt(9))
                            + (random.nextBoolean() ? "/rotate" : "");
                    body = randomValue(random, 0).toString();
                }
                default -> {
                    path = "/admin/audit?limit="
                            + java.net.URLEncoder.encode(
                                    pick(random, List.of("5", "-1", "0", "99999999999", "1e3", "abc", " 7", "")),
                                    StandardCharsets.UTF_8);
                    check(i, "GET " + path, "", manager.get(path));
                    continue;
                }
            }
            check(i, "POST " + path, body, manager.post(path, body));
        }
        // whatever was asked, the node is still there and takes its name back
        assertThat(manager.post("/admin/nodes/" + nodeId + "/labels", "{\"add\": {\"name\": \"chuv\"}}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(manager.post("/admin/start", "{\"nodes\": [\"chuv\"]}").statusCode())
                .isEqualTo(200);
    }

    @Test
    void malformedBytesAndShapes() {
        List<byte[]> bodies = new ArrayList<>();
        String valid =
                "{\"inputdata\": {\"data_model\": \"dementia:0.1\", \"datasets\": [\"edsd0\"], \"y\": [\"lefthippocampus\"]}}";
        bodies.add(new byte[0]);
        bodies.add("null".getBytes(StandardCharsets.UTF_8));
        bodies.add(valid.substring(0, 40).getBytes(StandardCharsets.UTF_8));
        bodies.add(valid.replace("edsd0", "ed\u0000sd0").getBytes(StandardCharsets.UTF_8));
        bodies.add(invalidUtf8(valid));
        bodies.add(("\uFEFF" + valid).getBytes(StandardCharsets.UTF_8));
        bodies.add("[".repeat(100_000).getBytes(StandardCharsets.UTF_8));
        bodies.add(("{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000)).getBytes(StandardCharsets.UTF_8));
        bodies.add(valid.replace(
                        "\"y\"",
                        "\"filters\": " + "{\"condition\": \"AND\", \"rules\": [".repeat(200) + "]}".repeat(200)
                                + ", \"y\"")
                .getBytes(StandardCharsets.UTF_8));
        bodies.add(valid.replace("edsd0", "e".repeat(900_000)).getBytes(StandardCharsets.UTF_8));
        bodies.add(
                ("{\"inputdata\": {\"data_model\": \"dementia:0.1\", \"datasets\": [\"edsd0\"], \"y\": [\"lefthippocampus\"]}, \"pad\": \""
                                + "x".repeat(3_000_000) + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
        bodies.add("{\"inputdata\": 1e999999999}".getBytes(StandardCharsets.UTF_8));
        bodies.add(
                ("{\"inputdata\": {\"data_model\": \"dementia:0.1\", \"datasets\": [\"edsd0\"], \"y\": [\"lefthippocampus\"]}, "
                                + "\"parameters\": {\"k\": 1" + "0".repeat(5_000) + "}}")
                        .getBytes(StandardCharsets.UTF_8));
        bodies.add("{\"a\": 1, \"a\": 2}".getBytes(StandardCharsets.UTF_8));
        bodies.add("{'single': 'quotes'}".getBytes(StandardCharsets.UTF_8));
        bodies.add("<xml>not json</xml>".getBytes(StandardCharsets.UTF_8));
        bodies.add("{\"inputdata\": {}} trailing".getBytes(StandardCharsets.UTF_8));
        List<String> types = List.of(
                "application/json",
                "text/plain",
                "application/xml",
                "multipart/form-data; boundary=x",
                "application/x-www-form-urlencoded",
                "application/json; charset=latin1",
                "");
        List<String> paths = List.of(
                "/algorithms/linear_regression",
                "/experiments",
                "/admin/start",
                "/admin/nodes/chuv/labels",
                "/algorithms/descriptive_stats");
        int i = 0;
        for (byte[] body : bodies) {
            for (String path : paths) {
                String type = types.get(i % types.size());
                HttpRequest.Builder request = manager.request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
                if (!type.isEmpty()) {
                    request.header("Content-Type", type);
                }
                String shown = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8)
                        + (body.length > 120 ? "… (" + body.length + " bytes)" : "");
                check(i++, "POST " + path + " as " + type, shown, manager.send(request.build()));
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void check(int index, String request, String body, HttpResponse<String> response) {
        String where = "case " + index + " (seed " + SEED + "): " + request + " with " + shorten(body) + " answered "
                + response.statusCode() + " " + shorten(response.body());
        assertThat(response.statusCode()).as(where).isLessThan(500);
        assertThat(LEAK.matcher(response.body()).find()).as(where).isFalse();
        if (response.statusCode() >= 400) {
            assertThat(response.headers().firstValue("Content-Type").orElse(""))
                    .as(where)
                    .startsWith("application/problem+json");
            JsonNode problem = parse(response.body(), where);
            assertThat(problem.path("status").asInt()).as(where).isEqualTo(response.statusCode());
            assertThat(problem.path("title").asText()).as(where).isNotBlank();
            assertThat(problem.path("detail").asText()).as(where).isNotBlank();
            // a typed problem: clients branch on its code, never on the text
            ProblemType type = ProblemType.fromCode(problem.path("code").asText())
                    .orElseThrow(() -> new AssertionError(where + ": no known code"));
            assertThat(problem.path("type").asText())
                    .as(where)
                    .isEqualTo(type.type().toString());
            assertThat(problem.path("title").asText()).as(where).isEqualTo(type.title());
            assertThat(type.status()).as(where).isEqualTo(response.statusCode());
            CODES.merge(type.code(), 1, Integer::sum);
        }
    }

    private static JsonNode parse(String text, String where) {
        try {
            return Json.mapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new AssertionError(where + ": not JSON", e);
        }
    }

    private static ObjectNode validBody(Random random, String algorithm) {
        ObjectNode body = F.objectNode();
        ObjectNode input = body.putObject("inputdata");
        input.put("data_model", random.nextInt(8) == 0 ? pick(random, STRANGE) : "dementia:0.1");
        ArrayNode datasets = input.putArray("datasets");
        datasets.add("edsd0");
        if (random.nextBoolean()) {
            datasets.add("ppmi0");
        }
        input.putArray("y").add(pick(random, VARIABLES));
        ArrayNode x = input.putArray("x");
        for (int i = random.nextInt(3); i > 0; i--) {
            x.add(pick(random, VARIABLES));
        }
        if (random.nextBoolean()) {
            input.set("filters", randomFilter(random, 0));
        }
        ObjectNode parameters = body.putObject("parameters");
        JsonNode spec = specs.path(algorithm).path("parameters");
        for (Iterator<String> names = spec.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            // a parameter left out takes its default: an algorithm with many parameters still gets valid bodies
            if (random.nextBoolean()) {
                continue;
            }
            JsonNode enums = spec.path(name).path("enums").path("source");
            parameters.set(
                    name,
                    enums.isArray() && enums.size() > 0 && random.nextBoolean()
                            ? enums.get(random.nextInt(enums.size()))
                            : randomValue(random, 3));
        }
        if (random.nextInt(4) == 0) {
            body.set(
                    "flags",
                    F.objectNode().put("allow_partial", random.nextBoolean()).set("timeout", randomValue(random, 4)));
        }
        return body;
    }

    private static JsonNode randomFilter(Random random, int depth) {
        if (depth < 3 && random.nextInt(3) == 0) {
            ObjectNode group = F.objectNode()
                    .put(
                            "condition",
                            random.nextInt(5) == 0 ? pick(random, STRANGE) : random.nextBoolean() ? "AND" : "OR");
            ArrayNode rules = group.putArray("rules");
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                rules.add(randomFilter(random, depth + 1));
            }
            return group;
        }
        ObjectNode rule =
                F.objectNode().put("id", random.nextInt(6) == 0 ? pick(random, STRANGE) : pick(random, VARIABLES));
        rule.put(
                "operator",
                pick(
                        random,
                        List.of(
                                "equal",
                                "not_equal",
                                "less",
                                "greater",
                                "between",
                                "in",
                                "not_in",
                                "is_null",
                                "is_not_null",
                                "less_or_equal",
                                "greater_or_equal",
                                "not_between",
                                "like",
                                "")));
        rule.set(
                "value",
                random.nextBoolean()
                        ? randomValue(random, 3)
                        : F.textNode(pick(random, List.of("F", "M", "1", "60", "AD", "CN"))));
        return rule;
    }

    private static JsonNode mutate(Random random, JsonNode root, int times) {
        JsonNode copy = root.deepCopy();
        for (int t = 0; t < times; t++) {
            List<ObjectNode> objects = new ArrayList<>();
            collect(copy, objects);
            if (objects.isEmpty() || random.nextInt(12) == 0) {
                return randomValue(random, 0);
            }
            ObjectNode target = objects.get(random.nextInt(objects.size()));
            List<String> names = new ArrayList<>();
            target.fieldNames().forEachRemaining(names::add);
            switch (random.nextInt(4)) {
                case 0 -> {
                    if (!names.isEmpty()) {
                        target.remove(pick(random, names));
                    }
                }
                case 1 ->
                    target.set(
                            random.nextBoolean() || names.isEmpty() ? pick(random, STRANGE) : pick(random, names),
                            randomValue(random, 1));
                default -> {
                    if (!names.isEmpty()) {
                        target.set(pick(random, names), randomValue(random, 1));
                    }
                }
            }
        }
        return copy;
    }

    private static void collect(JsonNode node, List<ObjectNode> into) {
        if (node instanceof ObjectNode object) {
            into.add(object);
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                collect(e.getValue(), into);
            }
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, into));
        }
    }

    private static JsonNode randomValue(Random random, int depth) {
        switch (random.nextInt(depth >= 4 ? 6 : 9)) {
            case 0:
                return F.nullNode();
            case 1:
                return F.booleanNode(random.nextBoolean());
            case 2:
                return F.numberNode(pick(
                        random,
                        List.of(
                                0L,
                                -1L,
                                1L,
                                2L,
                                3L,
                                10L,
                                Long.MAX_VALUE,
                                Long.MIN_VALUE,
                                (long) Integer.MAX_VALUE + 1,
                                (long) random.nextInt(1000))));
            case 3:
                return F.numberNode(
                        pick(random, List.of(0.5, -1e308, 1e308, Double.MIN_VALUE, 1e-320, 0.05, 3.14159, -0.0)));
            case 4:
                return F.numberNode(new java.math.BigDecimal("1e" + (random.nextInt(4000) - 2000)));
            case 5:
                return F.textNode(random.nextInt(20) == 0 ? "z".repeat(200_000) : pick(random, STRANGE));
            case 6: {
                ArrayNode array = F.arrayNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    array.add(randomValue(random, depth + 1));
                }
                return array;
            }
            case 7: {
                ObjectNode object = F.objectNode();
                for (int i = random.nextInt(4); i > 0; i--) {
                    object.set(
                            random.nextBoolean() ? pick(random, VARIABLES) : pick(random, STRANGE),
                            randomValue(random, depth + 1));
                }
                return object;
            }
            default:
                return F.textNode(pick(random, VARIABLES));
        }
    }

    private static byte[] invalidUtf8(String valid) {
        byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
        int at = valid.indexOf("edsd0") + 2;
        bytes[at] = (byte) 0xC3;
        bytes[at + 1] = (byte) 0x28;
        return bytes;
    }

    private static <T> T pick(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    private static String shorten(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "… (" + text.length() + " chars)";
    }
}
