package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.core.security.Role;
import org.mipfed.core.session.SessionProtocol;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.ca.NodeIds;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.tls.ManagerTls;
import org.mipfed.node.NodeAgent;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodeImports;
import org.mipfed.node.NodePaths;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;
import org.mipfed.node.tls.Csr;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.DescribeQuery;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.FilterGroup;
import org.mipfed.proto.v1.FilterRule;
import org.mipfed.proto.v1.FilterValue;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.HistogramQuery;
import org.mipfed.proto.v1.KmeansStepQuery;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.ManagerMessage;
import org.mipfed.proto.v1.MomentsQuery;
import org.mipfed.proto.v1.NodeHello;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.NodeSessionGrpc;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.Welcome;

/**
 * A malicious manager. Nodes dial out, so the attacker is a gRPC server holding a valid manager
 * certificate of the federation's own CA (made by the real {@link FederationInit}); a real
 * {@link NodeAgent} with the default privacy policy (extremes kept) connects to it over mutual TLS,
 * and the attacker sends whatever it likes on the session stream. Every attack is refused or answered
 * with aggregates only, and after each the node still answers a normal request over intact data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TestMaliciousManager {
    private static final String MODEL = "dementia:0.1";
    private static final List<String> DATASETS = List.of("edsd0", "edsd1", "edsd2", "edsd3", "edsd4", "ppmi0");
    private static final List<String> VOLUMES =
            List.of("leftamygdala", "rightamygdala", "lefthippocampus", "righthippocampus");
    /**
     * The default policy without extremes; without the refusal budget (these tests are refused on purpose many times by one
     * requester) and with filters on identifiers allowed (they single out rows by subject code to test the other rules).
     */
    private static final PrivacyPolicy POLICY = PrivacyPolicy.of(null, null, null, null, null, false, null)
            .withRefusalBudget(0)
            .withFilterPolicy(null, 0, true);

    private Path dir;
    private NodePaths paths;
    private Server server;
    private NodeAgent node;
    private final FakeManager manager = new FakeManager();
    private final List<Map<String, String>> rows = new ArrayList<>();

    @BeforeAll
    void federationWithOneNodeDialingTheAttacker() throws IOException {
        dir = Files.createTempDirectory(Path.of("target"), "malicious-manager-");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ManagerPaths managerPaths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(managerPaths, "127.0.0.1", port, 0, "127.0.0.1");
        CertificateAuthority ca = CertificateAuthority.load(managerPaths.caDir());
        server = NettyServerBuilder.forPort(port)
                .sslContext(ManagerTls.serverContext(FederationCa.load(managerPaths, "127.0.0.1")))
                .addService(manager)
                .build()
                .start();

        // What `mipfed node join` leaves behind: the node's key, its certificate from the federation's CA, node.json.
        paths = new NodePaths(dir.resolve("node"));
        KeyPair keys = KeyPairs.generate();
        Files.createDirectories(paths.key().getParent());
        Pem.writePrivateKey(paths.key(), keys.getPrivate());
        Pem.writeCertificate(
                paths.certificate(),
                ca.signNodeCsr(Csr.create(keys, "hospital"), NodeIds.newId(), Role.WORKER, Duration.ofDays(30)));
        Pem.writeCertificate(paths.caCertificate(), ca.certificate());
        new NodeConfig(NodeIds.newId(), ca.federationId(), "worker", "127.0.0.1:" + port, null, POLICY).save(paths);

        Path dementia = LocalFederation.extractData("dementia_v_0_1", dir.resolve("data"));
        List<Path> csvs =
                DATASETS.stream().map(d -> dementia.resolve(d + ".csv")).toList();
        try (DataStore store = DataStores.open(null, paths.dataDir())) {
            assertThat(NodeImports.run(store, dementia.resolve("CDEsMetadata.json"), csvs, (kind, body) -> {}))
                    .isTrue();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (Path csv : csvs) {
            rows.addAll(readCsv(csv));
        }
        node = NodeAgent.start(paths);
        manager.awaitSession(1);
    }

    @AfterAll
    void stop() {
        if (node != null) {
            node.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void theNodeAnnouncesItsOwnPolicyAndNoManagerMessageChangesIt() {
        assertThat(manager.hello().getPrivacy()).isEqualTo(POLICY.toProto());
        // The manager's side of the session has no message that carries a policy. Try anyway: a welcome,
        // a heartbeat, and a message with an unknown field holding a policy of one row.
        byte[] lenient = org.mipfed.proto.v1.PrivacyPolicy.newBuilder()
                .setMinRows(1)
                .setMinCellCount(1)
                .setAllPrimitivesAllowed(true)
                .build()
                .toByteArray();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeMessage(
                    1, Welcome.newBuilder().setNodeId("x").setAlias("x").build());
            out.writeByteArray(97, lenient);
            out.flush();
            manager.send(ManagerMessage.parseFrom(bytes.toByteArray()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        manager.send(ManagerMessage.newBuilder()
                .setWelcome(Welcome.newBuilder().setNodeId("attacker"))
                .build());
        Filter three = rule("subjectcode", "in", codes(3).toArray());
        // Under differencing protection a selection of fewer than min_rows rows is refused as a selection.
        assertRefused(cross(DATASETS, three, "leftamygdala"), "differencing");
        stillServes();
    }

    @Test
    void noAnswerCarriesARow() {
        List<PrimitiveQuery> queries = new ArrayList<>();
        queries.add(query(DATASETS, null)
                .setDescribe(DescribeQuery.newBuilder().addAllNumerical(VOLUMES).addNominal("gender"))
                .build());
        queries.add(query(DATASETS, null)
                .setMoments(MomentsQuery.newBuilder().addAllNumerical(VOLUMES).addGroupBy("gender"))
                .build());
        queries.add(cross(DATASETS, null, VOLUMES.toArray(String[]::new)));
        queries.add(query(DATASETS, null)
                .setLevels(LevelsQuery.newBuilder().addNominal("agegroup").addAllCompleteIn(VOLUMES))
                .build());
        queries.add(query(DATASETS, null)
                .setHistogram(HistogramQuery.newBuilder()
                        .setVariable("leftamygdala")
                        .addEdges(0)
                        .addEdges(1)
                        .addEdges(2)
                        .addEdges(5)
                        .addAllCompleteIn(VOLUMES))
                .build());
        queries.add(query(DATASETS, null)
                .setKmeansStep(KmeansStepQuery.newBuilder()
                        .addAllVariables(VOLUMES)
                        .addAllCentres(List.of(1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 3.0, 3.0)))
                .build());
        GlmStepQuery.Builder glm = GlmStepQuery.newBuilder()
                .setFamily("gaussian")
                .setLink("identity")
                .setIntercept(true)
                .setResponse(GlmColumn.newBuilder().setVariable("leftamygdala"));
        VOLUMES.subList(1, 4).forEach(v -> glm.addColumns(GlmColumn.newBuilder().setVariable(v)));
        queries.add(query(DATASETS, null).setGlmStep(glm).build());
        // The same, over a selection as small as the node allows and over one dataset, where a row would stand out
        // most.
        queries.add(query(List.of("edsd0"), null)
                .setDescribe(DescribeQuery.newBuilder().addAllNumerical(VOLUMES))
                .build());
        queries.add(query(List.of("edsd0"), null)
                .setMoments(MomentsQuery.newBuilder().addAllNumerical(VOLUMES))
                .build());
        int answered = 0;
        for (PrimitiveQuery query : queries) {
            PrimitiveResponse response = manager.ask(query);
            if (response.hasRefusal()) {
                continue;
            }
            answered++;
            Set<Double> numbers = new HashSet<>();
            numbers(response.getResult(), numbers);
            for (Map<String, String> row : rows) {
                if (VOLUMES.stream().allMatch(row::containsKey)) {
                    assertThat(VOLUMES.stream().allMatch(v -> numbers.contains(Double.parseDouble(row.get(v)))))
                            .as("%s gives back the volumes of %s", query.getPrimitiveCase(), row.get("subjectcode"))
                            .isFalse();
                }
            }
        }
        assertThat(answered).isGreaterThanOrEqualTo(7);
        stillServes();
    }

    @Test
    void filtersThatIsolateFewerRowsThanTheMinimumAreRefusedOrWithheld() {
        // None, one, two or nine rows: one rule and one text, whatever the primitive (issue 13: the bare outcome must
        // not
        // tell a selection holding one patient from an empty one).
        List<String> messages = new ArrayList<>();
        for (int few : new int[] {0, 1, 2, 9}) {
            Filter filter = few == 0
                    ? rule("subjectageyears", "greater", 200)
                    : rule("subjectcode", "in", codes(few).toArray());
            assertRefused(cross(DATASETS, filter, "leftamygdala"), "differencing");
            assertRefused(
                    query(DATASETS, filter)
                            .setLevels(LevelsQuery.newBuilder().addNominal("gender"))
                            .build(),
                    "differencing");
            assertRefused(
                    query(DATASETS, filter)
                            .setMoments(MomentsQuery.newBuilder().addNumerical("leftamygdala"))
                            .build(),
                    "differencing");
            assertRefused(
                    query(DATASETS, filter)
                            .setHistogram(HistogramQuery.newBuilder().setVariable("gender"))
                            .build(),
                    "differencing");
            PrimitiveResponse described = manager.ask(query(DATASETS, filter)
                    .setDescribe(DescribeQuery.newBuilder()
                            .addNumerical("leftamygdala")
                            .addNominal("gender"))
                    .build());
            assertThat(described.getRefusal().getRule()).isEqualTo("differencing");
            messages.add(described.getRefusal().getMessage());
        }
        assertThat(messages).containsOnly(messages.get(0));
        stillServes();
    }

    @Test
    void differencingPairsAreRefused() {
        // All rows, then all rows but one person's.
        assertThat(manager.ask(cross(DATASETS, null, "rightamygdala")).hasResult())
                .isTrue();
        String one = codes(1).get(0);
        assertRefused(cross(DATASETS, rule("subjectcode", "not_equal", one), "rightamygdala"), "differencing");
        // Filter A, then A OR x = v for a person x outside A.
        Filter women = rule("gender", "equal", "F");
        assertThat(manager.ask(cross(DATASETS, women, "rightamygdala")).hasResult())
                .isTrue();
        String man = rows.stream()
                .filter(r -> "M".equals(r.get("gender")))
                .findFirst()
                .orElseThrow()
                .get("subjectcode");
        PrimitiveResponse plusOne =
                manager.ask(cross(DATASETS, or(women, rule("subjectcode", "equal", man)), "rightamygdala"));
        assertThat(plusOne.getRefusal().getRule()).isEqualTo("differencing");
        assertThat(plusOne.getRefusal().getMessage())
                .contains("differ from every earlier selection")
                .doesNotContain(" 1 ");
        // The same pair through another primitive is refused too: the history is of rows, not of questions.
        assertRefused(
                query(DATASETS, or(women, rule("subjectcode", "equal", man)))
                        .setMoments(MomentsQuery.newBuilder().addNumerical("lefthippocampus"))
                        .build(),
                "differencing");
        // Each refusal is in the node's audit log with its rule and the attacker's name.
        List<com.fasterxml.jackson.databind.JsonNode> differencing = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(paths.auditLog())) {
                com.fasterxml.jackson.databind.JsonNode entry =
                        org.mipfed.core.json.Json.mapper().readTree(line);
                if (entry.path("rule").asText().equals("differencing")) {
                    differencing.add(entry);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        assertThat(differencing).hasSizeGreaterThanOrEqualTo(3).allSatisfy(e -> {
            assertThat(e.path("outcome").asText()).isEqualTo("refused");
            assertThat(e.path("requester").asText()).isEqualTo("mallory");
        });
        stillServes();
    }

    @Test
    void designsWithNearlyAsManyParametersAsRowsAreRefused() {
        // Twelve people far (in rows) from the few the other tests selected: a selection refused to this requester
        // stops
        // those within min_rows of it.
        List<String> twelve = codes("edsd2", 12);
        Filter filter = rule("subjectcode", "in", twelve.toArray());
        List<String> columns = List.of(
                "leftamygdala",
                "rightamygdala",
                "lefthippocampus",
                "righthippocampus",
                "leftcaudate",
                "rightcaudate",
                "leftputamen",
                "rightputamen",
                "leftpallidum",
                "rightpallidum");
        assertRefused(cross(DATASETS, filter, columns.toArray(String[]::new)), "max_parameter_ratio");
        GlmStepQuery.Builder glm = GlmStepQuery.newBuilder()
                .setFamily("gaussian")
                .setLink("identity")
                .setIntercept(true)
                .setResponse(GlmColumn.newBuilder().setVariable("subjectageyears"));
        columns.forEach(v -> glm.addColumns(GlmColumn.newBuilder().setVariable(v)));
        assertRefused(query(DATASETS, filter).setGlmStep(glm).build(), "max_parameter_ratio");
        stillServes();
    }

    @Test
    void sqlInjectionIsRefusedWithAClearReasonAndTheTableStaysIntact() {
        String drop = "\"; DROP TABLE \"data_dementia_0_1\"; --";
        assertRefused(cross(DATASETS, null, "leftamygdala" + drop), "unknown_variable");
        assertRefused(cross(List.of("edsd0') OR 1=1 --", "edsd0" + drop), null, "leftamygdala"), "unknown_dataset");
        assertRefused(
                query(DATASETS, null)
                        .setDataModel(MODEL + "'; DROP TABLE x; --")
                        .setDescribe(DescribeQuery.newBuilder().addNumerical("leftamygdala"))
                        .build(),
                "unknown_data_model");
        assertRefused(
                query(DATASETS, null)
                        .setCrossProducts(CrossProductsQuery.newBuilder()
                                .addColumns(DesignColumn.newBuilder()
                                        .setVariable("gender")
                                        .setLevel("M' OR '1'='1")))
                        .build(),
                "unknown_level");
        assertRefused(
                query(DATASETS, null)
                        .setMoments(MomentsQuery.newBuilder()
                                .addNumerical("leftamygdala")
                                .addGroupBy("gender")
                                .addOnlyLevels(org.mipfed.proto.v1.LevelSelection.newBuilder()
                                        .setVariable("gender")
                                        .addLevels("F') OR (1=1")))
                        .build(),
                "unknown_level");
        assertRefused(cross(DATASETS, rule("gender", "equal", "F' OR '1'='1"), "leftamygdala"), "unknown_level");
        assertRefused(cross(DATASETS, rule("leftamygdala", "less", "1 OR 1=1"), "leftamygdala"), "invalid_filter");
        assertRefused(cross(DATASETS, rule("gender" + drop, "is_null"), "leftamygdala"), "unknown_variable");
        assertRefused(
                cross(DATASETS, rule("gender", "equal); DROP TABLE x; --", "F"), "leftamygdala"), "invalid_filter");
        // A free-text value is bound, never spliced: it matches no row, so nothing is computed.
        PrimitiveResponse bound =
                manager.ask(cross(DATASETS, rule("subjectcode", "equal", "x' OR '1'='1"), "leftamygdala"));
        assertThat(bound.getResult().getCrossProducts().getN()).isZero();
        stillServes();
    }

    @Test
    void anOversizedMessageIsRefusedAndTheNodeComesBack() {
        int sessions = manager.sessions();
        String huge = "x".repeat(SessionProtocol.MAX_MESSAGE_BYTES + 1024 * 1024);
        manager.send(ManagerMessage.newBuilder()
                .setRequest(PrimitiveRequest.newBuilder()
                        .setRequestId("huge")
                        .setQuery(cross(DATASETS, rule("subjectcode", "equal", huge), "leftamygdala")))
                .build());
        // The node's channel refuses a message over the session's size limit (16 MiB), ends that session and dials
        // again.
        manager.awaitSession(sessions + 1);
        assertThat(manager.hello().getPrivacy()).isEqualTo(POLICY.toProto());
        stillServes();
        // A nested filter deeper than the node compiles is refused, not a stack overflow.
        Filter deep = rule("leftamygdala", "greater", 0);
        for (int i = 0; i < 40; i++) {
            deep = Filter.newBuilder()
                    .setGroup(FilterGroup.newBuilder().setCondition("AND").addRules(deep))
                    .build();
        }
        assertRefused(cross(DATASETS, deep, "leftamygdala"), "invalid_filter");
        assertRefused(query(DATASETS, null).build(), "invalid_query");
        stillServes();
    }

    /** A normal request over every row: answered, over all the rows imported. */
    private void stillServes() {
        PrimitiveResponse response = manager.ask(query(DATASETS, null)
                .setDescribe(DescribeQuery.newBuilder().addNumerical("lefthippocampus"))
                .build());
        assertThat(response.hasResult())
                .as("refused: %s", response.getRefusal().getMessage())
                .isTrue();
        assertThat(response.getResult().getRowsUsed()).isEqualTo(rows.size());
    }

    private void assertRefused(PrimitiveQuery query, String rule) {
        PrimitiveResponse response = manager.ask(query);
        assertThat(response.hasRefusal())
                .as("%s answered", query.getPrimitiveCase())
                .isTrue();
        assertThat(response.getRefusal().getRule()).isEqualTo(rule);
        assertThat(response.getRefusal().getCallerError()).isTrue();
        assertThat(response.getRefusal().getMessage())
                .isNotBlank()
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    /** The codes of the first {@code n} people of edsd1 with all volumes. */
    private List<String> codes(int n) {
        return codes("edsd1", n);
    }

    private List<String> codes(String dataset, int n) {
        List<String> codes = rows.stream()
                .filter(r ->
                        dataset.equals(r.get("dataset")) && VOLUMES.stream().allMatch(r::containsKey))
                .map(r -> r.get("subjectcode"))
                .limit(n)
                .toList();
        assertThat(codes).hasSize(n);
        return codes;
    }

    private static PrimitiveQuery.Builder query(List<String> datasets, Filter filter) {
        PrimitiveQuery.Builder query =
                PrimitiveQuery.newBuilder().setDataModel(MODEL).addAllDatasets(datasets);
        return filter == null ? query : query.setFilter(filter);
    }

    private static PrimitiveQuery cross(List<String> datasets, Filter filter, String... variables) {
        CrossProductsQuery.Builder cross = CrossProductsQuery.newBuilder();
        for (String variable : variables) {
            cross.addColumns(DesignColumn.newBuilder().setVariable(variable));
        }
        return query(datasets, filter).setCrossProducts(cross).build();
    }

    private static Filter rule(String variable, String operator, Object... values) {
        FilterRule.Builder rule = FilterRule.newBuilder().setVariable(variable).setOperator(operator);
        for (Object value : values) {
            rule.addValues(
                    value instanceof Number number
                            ? FilterValue.newBuilder().setNumber(number.doubleValue())
                            : FilterValue.newBuilder().setText(value.toString()));
        }
        return Filter.newBuilder().setRule(rule).build();
    }

    private static Filter or(Filter... filters) {
        return Filter.newBuilder()
                .setGroup(FilterGroup.newBuilder().setCondition("OR").addAllRules(List.of(filters)))
                .build();
    }

    /** Every number anywhere in a message. */
    private static void numbers(Message message, Set<Double> into) {
        for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
            List<?> values = field.getKey().isRepeated() ? (List<?>) field.getValue() : List.of(field.getValue());
            for (Object value : values) {
                if (value instanceof Message nested) {
                    numbers(nested, into);
                } else if (value instanceof Number number) {
                    into.add(number.doubleValue());
                }
            }
        }
    }

    private static List<Map<String, String>> readCsv(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",", -1);
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length && i < cells.length; i++) {
                if (!cells[i].isEmpty()) {
                    row.put(header[i], cells[i]);
                }
            }
            out.add(row);
        }
        return out;
    }

    /** The attacker: speaks the manager's side of the session protocol, and nothing else. */
    private static final class FakeManager extends NodeSessionGrpc.NodeSessionImplBase {
        private final AtomicReference<StreamObserver<ManagerMessage>> current = new AtomicReference<>();
        private final AtomicReference<NodeHello> hello = new AtomicReference<>();
        private final AtomicInteger sessions = new AtomicInteger();
        private final Map<String, CompletableFuture<PrimitiveResponse>> pending = new ConcurrentHashMap<>();

        @Override
        public StreamObserver<NodeMessage> open(StreamObserver<ManagerMessage> toNode) {
            return new StreamObserver<>() {
                @Override
                public void onNext(NodeMessage message) {
                    switch (message.getKindCase()) {
                        case HELLO -> {
                            hello.set(message.getHello());
                            if (current.getAndSet(toNode) != toNode) {
                                sessions.incrementAndGet();
                            }
                        }
                        case RESPONSE -> {
                            CompletableFuture<PrimitiveResponse> future =
                                    pending.remove(message.getResponse().getRequestId());
                            if (future != null) {
                                future.complete(message.getResponse());
                            }
                        }
                        default -> {}
                    }
                }

                @Override
                public void onError(Throwable t) {
                    current.compareAndSet(toNode, null);
                }

                @Override
                public void onCompleted() {
                    current.compareAndSet(toNode, null);
                }
            };
        }

        int sessions() {
            return sessions.get();
        }

        NodeHello hello() {
            return hello.get();
        }

        void awaitSession(int count) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (sessions.get() < count) {
                assertThat(System.nanoTime())
                        .as("the node opened session %d", count)
                        .isLessThan(deadline);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }

        synchronized void send(ManagerMessage message) {
            StreamObserver<ManagerMessage> out = current.get();
            assertThat(out).as("a session is open").isNotNull();
            out.onNext(message);
        }

        PrimitiveResponse ask(PrimitiveQuery query) {
            String id = UUID.randomUUID().toString();
            CompletableFuture<PrimitiveResponse> future = new CompletableFuture<>();
            pending.put(id, future);
            send(ManagerMessage.newBuilder()
                    .setRequest(PrimitiveRequest.newBuilder()
                            .setRequestId(id)
                            .setRequester("mallory")
                            .setQuery(query))
                    .build());
            try {
                return future.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(
                        "the node did not answer " + query.getPrimitiveCase() + " within 30 s", e);
            }
        }
    }
}
