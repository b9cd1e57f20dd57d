package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Role;
import org.mipfed.manager.analysis.SecureAggregation;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.registry.NodeUnavailableException;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.smpc.SecureAggregationNode;
import org.mipfed.node.store.DuckDbStore;
import org.mipfed.node.tls.Csr;
import org.mipfed.node.tls.NodeCredentials;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.SmpcStep;
import org.mipfed.proto.v1.SmpcUnmask;

/**
 * Secure aggregation, both sides' real code in one process: three nodes (DuckDB stores with the
 * dementia data, their privacy guard and audit log, certificates from a real federation CA) and the
 * manager's rounds, over a transport that can lose a node at a chosen step. The masked sums equal the
 * same primitives computed over all the rows in one store; a node lost in the first round is
 * recovered from the survivors' shares; the nodes refuse the steps a dishonest manager would need.
 */
class TestSecureAggregationProtocol {
    private static final Map<String, List<String>> DATASETS = Map.of(
            "node-a", List.of("edsd0", "edsd1", "ppmi0"),
            "node-b", List.of("edsd2", "ppmi1", "desd-synthdata0"),
            "node-c", List.of("edsd3", "ppmi2", "desd-synthdata1", "desd-synthdata2"));

    @TempDir
    static Path dir;

    static DataModel model;
    static final Map<String, Node> nodes = new LinkedHashMap<>();
    static PrimitiveExecutor pooled;
    static DuckDbStore pooledStore;

    /** Which (node, request) pairs the transport loses, as if the node's session had closed. */
    static final Set<Predicate<PrimitiveRequest>> losses = ConcurrentHashMap.newKeySet();

    record Node(String id, DuckDbStore store, PrimitiveExecutor executor, SecureAggregationNode smpc) {
        PrimitiveResponse answer(PrimitiveRequest request) {
            return smpc.answer(request, plain -> executor.answer(plain, "manager"));
        }
    }

    @BeforeAll
    static void startNodes() throws Exception {
        Path data = LocalFederation.extractDementiaData(dir.resolve("data"));
        model = DataModel.parse(java.nio.file.Files.readString(data.resolve("CDEsMetadata.json")));
        CertificateAuthority ca = CertificateAuthority.create("fed-smpc", dir.resolve("ca"));
        pooledStore = DuckDbStore.inMemory();
        pooled = new PrimitiveExecutor(
                pooledStore, PrivacyPolicy.DEFAULT, new AuditLog(dir.resolve("pooled-audit.log")));
        for (String id : List.of("node-a", "node-b", "node-c")) {
            KeyPair keys = KeyPairs.generate();
            X509Certificate certificate = ca.signNodeCsr(Csr.create(keys, id), id, Role.WORKER, Duration.ofDays(1));
            NodeCredentials.Snapshot credentials =
                    new NodeCredentials.Snapshot(keys.getPrivate(), certificate, List.of(ca.certificate()));
            DuckDbStore store = DuckDbStore.inMemory();
            for (String dataset : DATASETS.get(id)) {
                new DataImporter(store).importCsv(model, data.resolve(dataset + ".csv"), ProgressListener.NONE);
                new DataImporter(pooledStore).importCsv(model, data.resolve(dataset + ".csv"), ProgressListener.NONE);
            }
            PrimitiveExecutor executor = new PrimitiveExecutor(
                    store, PrivacyPolicy.DEFAULT, new AuditLog(dir.resolve(id + "-audit.log"), id));
            nodes.put(id, new Node(id, store, executor, new SecureAggregationNode(id, () -> credentials, m -> model)));
        }
    }

    @AfterAll
    static void closeStores() throws Exception {
        for (Node n : nodes.values()) {
            n.store().close();
        }
        pooledStore.close();
    }

    @BeforeEach
    void noLosses() {
        losses.clear();
    }

    private static SecureAggregation session(boolean allowPartial) {
        return session("s-" + System.nanoTime(), allowPartial);
    }

    private static SecureAggregation session(String id, boolean allowPartial) {
        return new SecureAggregation(
                id,
                model,
                List.copyOf(nodes.keySet()),
                "researcher",
                (node, request) -> losses.stream()
                                .anyMatch(l -> l.test(request)
                                        && request.getRequestId().endsWith("/" + node))
                        ? CompletableFuture.failedFuture(new NodeUnavailableException(node, "session closed"))
                        : CompletableFuture.supplyAsync(() -> nodes.get(node).answer(request)),
                node -> node,
                System.nanoTime() + TimeUnit.MINUTES.toNanos(2),
                allowPartial);
    }

    private static Map<String, PrimitiveQuery> perNode(PrimitiveQuery.Builder query, Set<String> without) {
        Map<String, PrimitiveQuery> out = new LinkedHashMap<>();
        for (String id : nodes.keySet()) {
            if (!without.contains(id)) {
                out.put(
                        id,
                        query.clone()
                                .setDataModel(model.id())
                                .clearDatasets()
                                .addAllDatasets(DATASETS.get(id))
                                .build());
            }
        }
        return out;
    }

    private static PrimitiveResult pooled(PrimitiveQuery.Builder query, Set<String> without) {
        List<String> datasets = new ArrayList<>();
        nodes.keySet().stream().filter(id -> !without.contains(id)).forEach(id -> datasets.addAll(DATASETS.get(id)));
        return pooled.execute(
                query.clone()
                        .setDataModel(model.id())
                        .clearDatasets()
                        .addAllDatasets(datasets)
                        .build(),
                "researcher");
    }

    private static PrimitiveQuery.Builder crossProducts() {
        return PrimitiveQuery.newBuilder()
                .setCrossProducts(CrossProductsQuery.newBuilder()
                        .addColumns(DesignColumn.newBuilder().setVariable("lefthippocampus"))
                        .addColumns(DesignColumn.newBuilder().setVariable("subjectageyears"))
                        .addColumns(
                                DesignColumn.newBuilder().setVariable("gender").setLevel("M")));
    }

    private static PrimitiveQuery.Builder glmStep() {
        return PrimitiveQuery.newBuilder()
                .setGlmStep(GlmStepQuery.newBuilder()
                        .setFamily("binomial")
                        .setLink("logit")
                        .setIntercept(true)
                        .setResponse(
                                GlmColumn.newBuilder().setVariable("gender").setLevel("M"))
                        .addColumns(GlmColumn.newBuilder().setVariable("lefthippocampus"))
                        .addColumns(GlmColumn.newBuilder().setVariable("subjectageyears"))
                        .addBeta(-1.5)
                        .addBeta(0.4)
                        .addBeta(0.01));
    }

    private static PrimitiveQuery.Builder levels() {
        return PrimitiveQuery.newBuilder()
                .setLevels(LevelsQuery.newBuilder()
                        .addNominal("alzheimerbroadcategory")
                        .addNominal("agegroup"));
    }

    static void assertCrossProductsEqual(CrossProductsResult actual, CrossProductsResult expected) {
        assertThat(actual.getN()).isEqualTo(expected.getN());
        for (int i = 0; i < expected.getMeansCount(); i++) {
            assertThat(actual.getMeans(i))
                    .isCloseTo(expected.getMeans(i), within(1e-9 * Math.abs(expected.getMeans(i))));
        }
        for (int i = 0; i < expected.getComomentsCount(); i++) {
            assertThat(actual.getComoments(i))
                    .isCloseTo(expected.getComoments(i), within(1e-9 * Math.abs(expected.getComoments(i)) + 1e-9));
        }
    }

    @Test
    void maskedSumsEqualThePooledPrimitivesToOneInABillion() {
        SecureAggregation secure = session(false);
        PrimitiveResult cross = secure.compute(perNode(crossProducts(), Set.of()));
        assertCrossProductsEqual(
                cross.getCrossProducts(), pooled(crossProducts(), Set.of()).getCrossProducts());
        assertThat(cross.getRowsUsed())
                .isEqualTo(pooled(crossProducts(), Set.of()).getRowsUsed());

        GlmStepResult glm = secure.compute(perNode(glmStep(), Set.of())).getGlmStep();
        GlmStepResult expected = pooled(glmStep(), Set.of()).getGlmStep();
        assertThat(glm.getN()).isEqualTo(expected.getN());
        assertThat(glm.getDeviance()).isCloseTo(expected.getDeviance(), within(1e-9 * expected.getDeviance()));
        for (int i = 0; i < expected.getInformationCount(); i++) {
            assertThat(glm.getInformation(i))
                    .isCloseTo(expected.getInformation(i), within(1e-9 * Math.abs(expected.getInformation(i))));
        }
        for (int i = 0; i < expected.getScoreCount(); i++) {
            assertThat(glm.getScore(i))
                    .isCloseTo(expected.getScore(i), within(1e-9 * Math.abs(expected.getScore(i)) + 1e-9));
        }

        assertThat(secure.compute(perNode(levels(), Set.of())).getLevels())
                .isEqualTo(pooled(levels(), Set.of()).getLevels());
        assertThat(secure.dropped()).isEmpty();
    }

    @Test
    void aNodeLostInTheFirstRoundIsRecoveredFromTheSurvivorsShares() {
        SecureAggregation secure = session(true);
        losses.add(r -> r.getSmpc().hasMask() && r.getRequestId().endsWith("/node-c"));
        PrimitiveResult cross = secure.compute(perNode(crossProducts(), Set.of()));
        assertThat(secure.dropped()).containsExactly("node-c");
        // The survivors' sum, node-c's masks removed with its key rebuilt from two shares.
        assertCrossProductsEqual(
                cross.getCrossProducts(),
                pooled(crossProducts(), Set.of("node-c")).getCrossProducts());
        // Later rounds go on without it.
        losses.clear();
        GlmStepResult glm = secure.compute(perNode(glmStep(), Set.of("node-c"))).getGlmStep();
        assertThat(glm.getN())
                .isEqualTo(pooled(glmStep(), Set.of("node-c")).getGlmStep().getN());
    }

    @Test
    void aLostNodeEndsTheAnalysisWithA503UnlessPartialResultsAreAccepted() {
        losses.add(r -> r.getSmpc().hasMask() && r.getRequestId().endsWith("/node-b"));
        Throwable thrown = catchThrowable(() -> session(false).compute(perNode(crossProducts(), Set.of())));
        assertThat(thrown).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.detail())
                    .contains("node-b was lost during a secure-aggregation analysis")
                    .contains("allow_partial");
        });
    }

    @Test
    void aNodeLostAfterTheFirstRoundRestartsThePartialAnalysisWithoutIt() {
        SecureAggregation secure = session(true);
        secure.compute(perNode(levels(), Set.of()));
        losses.add(r -> r.getSmpc().hasMask() && r.getRequestId().endsWith("/node-a"));
        Throwable thrown = catchThrowable(() -> secure.compute(perNode(crossProducts(), Set.of())));
        // Its seed was revealed after round 1, so its key never will be: the flow must start again without it.
        assertThat(thrown).isNotNull().isNotInstanceOf(Problem.class);
        assertThat(thrown.getClass().getSimpleName()).isEqualTo("NodeLostException");
        assertThat(thrown.getMessage()).contains("node-a");
    }

    @Test
    void tooFewSurvivorsGiveA503AndRevealNothing() {
        losses.add(r -> r.getSmpc().hasMask() && !r.getRequestId().endsWith("/node-a"));
        Throwable thrown = catchThrowable(() -> session(true).compute(perNode(crossProducts(), Set.of())));
        assertThat(thrown).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(503);
            assertThat(p.detail()).contains("Only 1 of 3 nodes answered").contains("needs 2");
        });
    }

    @Test
    void aNonSummablePrimitiveIsRefusedBeforeAnyNodeIsAsked() {
        PrimitiveQuery.Builder moments = PrimitiveQuery.newBuilder()
                .setMoments(org.mipfed.proto.v1.MomentsQuery.newBuilder().addNumerical("lefthippocampus"));
        Throwable thrown = catchThrowable(() -> session(false).compute(perNode(moments, Set.of())));
        assertThat(thrown).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status()).isEqualTo(400);
            assertThat(p.detail())
                    .contains("cannot run with flags.smpc")
                    .contains("moments")
                    .contains("linear_regression");
        });
    }

    /** A manager that knows a node's seed asks for its key too, replays a round, and relays a forged key: all refused. */
    @Test
    void nodesRefuseWhatADishonestManagerWouldNeedToIsolateOneNode() {
        // A session by hand, as a dishonest manager would run it, to reach the nodes directly.
        String sessionId = "evil-" + System.nanoTime();
        List<String> all = List.copyOf(nodes.keySet());
        List<PrimitiveResponse> advertised = new ArrayList<>();
        for (Node n : nodes.values()) {
            advertised.add(n.answer(
                    step(sessionId, all, b -> b.setAdvertise(org.mipfed.proto.v1.SmpcAdvertise.getDefaultInstance()))));
        }
        // A forged key for node-b: node-a's key relayed under node-b's name.
        var forged = advertised.get(1).getSmpc().getKeys().toBuilder()
                .setMaskKey(advertised.get(0).getSmpc().getKeys().getMaskKey())
                .build();
        PrimitiveResponse refused = nodes.get("node-a")
                .answer(step(
                        sessionId,
                        all,
                        b -> b.setShareKeys(org.mipfed.proto.v1.SmpcShareKeys.newBuilder()
                                .addKeys(advertised.get(0).getSmpc().getKeys())
                                .addKeys(forged)
                                .addKeys(advertised.get(2).getSmpc().getKeys()))));
        assertThat(refused.getRefusal().getRule()).isEqualTo("smpc");
        assertThat(refused.getRefusal().getMessage()).contains("node node-b's key does not verify");

        // An honest run of round 1 through the manager's code, then the dishonest steps on the same nodes.
        String id = "honest-" + System.nanoTime();
        session(id, false).compute(perNode(crossProducts(), Set.of()));
        PrimitiveResponse bothSecrets = nodes.get("node-a")
                .answer(step(
                        id,
                        all,
                        b -> b.setUnmask(SmpcUnmask.newBuilder()
                                .setRound(1)
                                .addSeedsOf("node-a")
                                .addSeedsOf("node-c")
                                .addKeysOf("node-b"))));
        assertThat(bothSecrets.getRefusal().getMessage())
                .contains("node node-b's self-mask seed was revealed earlier; its mask key never will be");

        PrimitiveResponse ownKey = nodes.get("node-a")
                .answer(step(
                        id,
                        all,
                        b -> b.setUnmask(SmpcUnmask.newBuilder()
                                .setRound(1)
                                .addSeedsOf("node-b")
                                .addSeedsOf("node-c")
                                .addKeysOf("node-a"))));
        assertThat(ownKey.getRefusal().getMessage()).contains("it never reveals its own mask key");

        PrimitiveResponse replay = nodes.get("node-a")
                .answer(PrimitiveRequest.newBuilder()
                        .setRequestId("replay")
                        .setQuery(perNode(crossProducts(), Set.of()).get("node-a"))
                        .setSmpc(SmpcStep.newBuilder()
                                .setSessionId(id)
                                .addAllParticipants(all)
                                .setMask(org.mipfed.proto.v1.SmpcMask.newBuilder()
                                        .setRound(1)))
                        .build());
        assertThat(replay.getRefusal().getMessage()).contains("round 1 of session " + id + " was already masked");

        PrimitiveResponse alone = nodes.get("node-a")
                .answer(PrimitiveRequest.newBuilder()
                        .setRequestId("alone")
                        .setQuery(perNode(crossProducts(), Set.of()).get("node-a"))
                        .setSmpc(SmpcStep.newBuilder()
                                .setSessionId(id)
                                .addParticipants("node-a")
                                .setMask(org.mipfed.proto.v1.SmpcMask.newBuilder()
                                        .setRound(2)))
                        .build());
        assertThat(alone.getRefusal().getMessage()).contains("a round needs at least 2 of the session's 3 nodes");
    }

    private static PrimitiveRequest step(
            String sessionId, List<String> participants, java.util.function.Consumer<SmpcStep.Builder> kind) {
        SmpcStep.Builder step = SmpcStep.newBuilder().setSessionId(sessionId).addAllParticipants(participants);
        kind.accept(step);
        return PrimitiveRequest.newBuilder()
                .setRequestId(sessionId + "/by-hand")
                .setRequester("evil")
                .setSmpc(step)
                .build();
    }
}
