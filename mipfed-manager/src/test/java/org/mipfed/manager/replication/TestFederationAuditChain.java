package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.audit.AuditVerifier;
import org.mipfed.core.json.Json;
import org.mipfed.manager.audit.AuditTrail;
import org.mipfed.manager.state.ManagerPaths;

/**
 * Three managers in one Raft group on loopback, each with the audit trail a running manager has: the actions audited
 * through each one land once each in one hash chain for the federation, byte-identical in every manager's
 * {@code audit.log}; a line written without a majority is in the local journal at once and reaches the chain when the
 * managers are back; a restarted manager ships what it had not, without duplicates; a member that installs a snapshot
 * reads the chain's lines from another manager and verifies the whole chain; a changed line is found.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestFederationAuditChain {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    private ThreeManagers group;
    private String federationId;
    private List<ManagerMember> members;
    private final Member[] managers = new Member[3];

    private record Member(Path dataDir, ManagerReplication replication, AuditTrail audit) implements AutoCloseable {
        @Override
        public void close() {
            audit.close();
            replication.close();
        }

        Path chain() {
            return dataDir.resolve("audit.log");
        }
    }

    @BeforeAll
    void startThreeManagers() throws Exception {
        group = new ThreeManagers(dir, 7000);
        federationId = group.federationId();
        members = group.members();
        // manager-a was a manager before the chain was replicated: its trail becomes the chain's beginning
        try (AuditTrail older = new AuditTrail(group.paths(0).auditLog(), federationId)) {
            older.record("admin", AuditTrail.NODE_LABEL, AuditTrail.OK, null);
            older.record("admin", AuditTrail.JOIN_TOKEN_SHOW, AuditTrail.OK, null);
        }
        // manager-b kept a trail of its own: it is set aside, not mixed into the federation's chain
        try (AuditTrail own = new AuditTrail(group.dataDir(1).resolve("audit.log"), federationId)) {
            own.record("admin", AuditTrail.NODE_STOP, AuditTrail.OK, null);
        }
        ThreeManagers.startTogether(this::start).toArray(managers);
    }

    @AfterAll
    void stop() {
        for (Member m : managers) {
            if (m != null) {
                m.close();
            }
        }
    }

    private Member start(int i) {
        // a snapshot every 50 entries and small segments: the log is purged, and a member that was away receives a
        // snapshot
        ManagerReplication replication =
                group.startImporting(i, new ReplicationSettings(50, 64 * 1024, PATIENCE.toMillis()));
        return new Member(
                group.dataDir(i), replication, AuditTrail.replicated(group.paths(i), federationId, replication));
    }

    @Test
    @Order(1)
    void actionsAuditedThroughEachManagerAppearOnceInOneChainIdenticalOnAll() throws Exception {
        await("the chain started", () -> managers[2].replication().auditHead() != null);
        for (int round = 0; round < 4; round++) {
            for (Member m : managers) {
                m.audit()
                        .record(
                                "alice",
                                AuditTrail.ANALYSIS_RUN,
                                AuditTrail.OK,
                                Json.mapper().createObjectNode().put("round", round));
            }
        }
        List<JsonNode> chain = awaitIdenticalChains(2 + 12);
        // the older trail of manager-a is the beginning, as it was
        assertThat(chain.subList(0, 2))
                .extracting(l -> l.path("action").asText())
                .containsExactly(AuditTrail.NODE_LABEL, AuditTrail.JOIN_TOKEN_SHOW);
        // every line served by a manager names it and is in the chain once
        Set<String> seen = new HashSet<>();
        for (JsonNode line : chain.subList(2, chain.size())) {
            assertThat(line.path("user").asText()).isEqualTo("alice");
            assertThat(seen.add(line.path("manager").asText() + "/"
                            + line.path("local_seq").asLong()))
                    .isTrue();
        }
        for (Member m : managers) {
            assertThat(chain.stream()
                            .filter(l -> l.path("manager")
                                    .asText()
                                    .equals(m.replication().id())))
                    .hasSize(4);
            // GET /admin/audit reads the federation's chain through any manager
            assertThat(m.audit().newest(12))
                    .hasSize(12)
                    .allSatisfy(l -> assertThat(l.has("hash")).isTrue());
        }
        // manager-b's own older trail was set aside, whole, under another name
        try (Stream<Path> files = Files.list(managers[1].dataDir())) {
            Path aside = files.filter(f -> f.getFileName().toString().matches("audit\\.log\\.set-aside-\\d+"))
                    .findFirst()
                    .orElseThrow();
            AuditVerifier.Result result = AuditVerifier.verify(aside);
            assertThat(result.ok()).as(result.problem()).isTrue();
            assertThat(result.lines()).isEqualTo(1);
        }
        // the chain's head is in every manager's state digest: the same on all
        awaitSameDigest();
        assertThat(managers[0].replication().auditHead().seq()).isEqualTo(14);
        System.out.println("[s9-audit] three managers hold the same 14-line chain, head "
                + managers[0].replication().auditHead().hash());
    }

    @Test
    @Order(2)
    void theSameLinesShippedTwiceAreInTheChainOnce() {
        ReplicatedState.AuditHead before = managers[0].replication().auditHead();
        StateCommand.AuditEntry again = new StateCommand.AuditEntry(
                managers[0].replication().id(),
                1,
                Instant.now().toString(),
                Json.mapper().createObjectNode().put("user", "mallory"));
        managers[1].replication().appendAudit(List.of(again));
        managers[0].replication().appendAudit(List.of(again));
        await("the appends applied", () -> managers[0].replication().auditHead() != null);
        assertThat(managers[0].replication().auditHead().seq()).isEqualTo(before.seq());
        assertThat(managers[0].replication().auditHead().hash()).isEqualTo(before.hash());
    }

    @Test
    @Order(3)
    void aLineWrittenWithoutAMajorityIsJournaledAtOnceAndReachesTheChainWhenTheManagersAreBack() throws Exception {
        long before = managers[0].replication().auditHead().seq();
        managers[1].close();
        managers[2].close();
        managers[1] = null;
        managers[2] = null;
        long started = System.nanoTime();
        managers[0].audit().record("bob", AuditTrail.NODE_START, AuditTrail.OK, null);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.println("[s9-audit] a line recorded without a majority returned after " + millis + " ms");
        // durable in the journal at once
        assertThat(Files.readString(managers[0].dataDir().resolve("audit.journal"), StandardCharsets.UTF_8))
                .contains("\"user\":\"bob\"");
        // not in the chain: no majority commits it; a read shows it as pending
        JsonNode newest = managers[0].audit().newest(1).get(0);
        assertThat(newest.path("user").asText()).isEqualTo("bob");
        assertThat(newest.path("pending").asBoolean()).isTrue();
        assertThat(managers[0].replication().auditHead().seq()).isEqualTo(before);
        managers[1] = start(1);
        managers[2] = start(2);
        List<JsonNode> chain = awaitIdenticalChains(before + 1);
        assertThat(chain.get(chain.size() - 1).path("user").asText()).isEqualTo("bob");
    }

    @Test
    @Order(4)
    void aManagerRestartedShipsWhatItHadNotShippedWithoutDuplicates() throws Exception {
        long before = managers[0].replication().auditHead().seq();
        managers[2].close();
        managers[2] = null;
        // lines in manager-c's journal that never reached the chain (a crash right after they were durable)
        ManagerPaths c = new ManagerPaths(dir.resolve("manager-c"));
        new MemberFile("manager-c", "127.0.0.1", members.get(2).raftPort()).write(c.raftDir());
        AuditTrail.recordInJournal(c, federationId, "carol", AuditTrail.USER_CREATE, AuditTrail.OK, null);
        AuditTrail.recordInJournal(c, federationId, "carol", AuditTrail.TOKEN_CREATE, AuditTrail.OK, null);
        managers[2] = start(2);
        List<JsonNode> chain = awaitIdenticalChains(before + 2);
        Set<String> seen = new HashSet<>();
        for (JsonNode line : chain) {
            if (line.has("local_seq")) {
                assertThat(seen.add(line.path("manager").asText() + "/"
                                + line.path("local_seq").asLong()))
                        .as("line %s in the chain once", line)
                        .isTrue();
            }
        }
        assertThat(chain.subList(chain.size() - 2, chain.size()))
                .extracting(
                        l -> l.path("user").asText() + " " + l.path("manager").asText())
                .containsExactly("carol manager-c", "carol manager-c");
        // manager-c's journal holds its 4 + 2 lines; the chain holds each once
        assertThat(chain.stream().filter(l -> l.path("manager").asText().equals("manager-c")))
                .hasSize(6);
    }

    @Test
    @Order(5)
    void aMemberWhoseCopyLacksLinesReadsThemFromAnotherManagerAndVerifiesTheWholeChain() throws Exception {
        long closedAt = managers[2].replication().digest().appliedIndex();
        managers[2].close();
        managers[2] = null;
        String padding = "x".repeat(2_000);
        for (int i = 0; i < 30; i++) {
            managers[i % 2]
                    .audit()
                    .record(
                            "dave",
                            AuditTrail.ANALYSIS_RUN,
                            AuditTrail.OK,
                            Json.mapper().createObjectNode().put("i", i).put("padding", padding));
            // one log entry each: the log grows past a few segments
            managers[i % 2].audit().newest(1);
        }
        // a snapshot on the two that run; the leader's log is purged up to it
        for (int i = 0; i < 2; i++) {
            managers[i].replication().snapshot();
        }
        long expected = managers[0].replication().auditHead().seq();
        // manager-c's copy of the chain is lost with its disk's audit files: it must read them again
        for (String name : new String[] {"audit.log", "audit.log.checkpoint", "audit.log.key"}) {
            Files.deleteIfExists(dir.resolve("manager-c").resolve(name));
        }
        long leaderStart = Math.max(
                managers[0].replication().logStartIndex(),
                managers[1].replication().logStartIndex());
        managers[2] = start(2);
        await(
                "manager-c holds the whole chain",
                () -> managers[2].replication().awaitAuditChainFile(100)
                        && managers[2].replication().auditHead() != null
                        && managers[2].replication().auditHead().seq() >= expected);
        System.out.println("[s9-audit] manager-c stopped at index " + closedAt
                + "; the running managers' logs start at " + leaderStart + "; manager-c's latest snapshot "
                + managers[2].replication().latestSnapshotIndex());
        // manager-c starts from its own snapshot (a head its empty file lacks) and replays the log after it
        List<JsonNode> chain = awaitIdenticalChains(expected);
        assertThat(chain).hasSize((int) expected);
    }

    @Test
    @Order(6)
    void aChangedLineOfTheChainIsFoundByVerify() throws Exception {
        Path copy = dir.resolve("tampered");
        Files.createDirectories(copy);
        for (String name : new String[] {"audit.log", "audit.log.checkpoint", "audit.log.key"}) {
            Files.copy(managers[0].dataDir().resolve(name), copy.resolve(name));
        }
        AuditVerifier.Result sound = AuditVerifier.verify(copy.resolve("audit.log"), federationId);
        assertThat(sound.ok()).as(sound.problem()).isTrue();
        List<String> lines = Files.readAllLines(copy.resolve("audit.log"), StandardCharsets.UTF_8);
        int changed = 5; // 0-based: line 6
        lines.set(changed, lines.get(changed).replace("\"user\":\"alice\"", "\"user\":\"alicf\""));
        Files.write(copy.resolve("audit.log"), lines, StandardCharsets.UTF_8);
        AuditVerifier.Result result = AuditVerifier.verify(copy.resolve("audit.log"), federationId);
        assertThat(result.ok()).isFalse();
        assertThat(result.brokenLine()).isEqualTo(changed + 1);
        assertThat(result.problem()).contains("changed");
    }

    /** Waits until every manager's audit.log holds {@code lines} lines, the same bytes on all; returns them parsed. */
    private List<JsonNode> awaitIdenticalChains(long lines) throws IOException {
        try {
            awaitChains(lines);
        } catch (AssertionError e) {
            StringBuilder seen = new StringBuilder();
            for (Member m : managers) {
                seen.append("\n")
                        .append(m.replication().id())
                        .append(": head ")
                        .append(m.replication().auditHead())
                        .append(", file ")
                        .append(Files.readAllLines(m.chain()).size())
                        .append(" lines, leader ")
                        .append(m.replication().isLeader());
            }
            throw new AssertionError(e.getMessage() + seen, e);
        }
        return verifiedChains(lines);
    }

    private void awaitChains(long lines) {
        await("every manager's chain has " + lines + " lines, the same bytes", () -> {
            try {
                byte[] first = Files.readAllBytes(managers[0].chain());
                for (Member m : managers) {
                    if (!java.util.Arrays.equals(first, Files.readAllBytes(m.chain()))) {
                        return false;
                    }
                }
                return new String(first, StandardCharsets.UTF_8).lines().count() == lines;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private List<JsonNode> verifiedChains(long lines) throws IOException {
        for (Member m : managers) {
            AuditVerifier.Result result = AuditVerifier.verify(m.chain(), federationId);
            assertThat(result.ok())
                    .as(m.replication().id() + ": " + result.problem())
                    .isTrue();
            assertThat(result.lines()).isEqualTo(lines);
            assertThat(result.lastHash())
                    .isEqualTo(managers[0].replication().auditHead().hash());
        }
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : Files.readAllLines(managers[0].chain(), StandardCharsets.UTF_8)) {
            parsed.add(Json.mapper().readTree(line));
        }
        return parsed;
    }

    private void awaitSameDigest() {
        await("every manager has the same digest", () -> {
            Set<String> digests = new HashSet<>();
            for (Member m : managers) {
                m.replication().managers().forEach(s -> digests.add(s.appliedIndex() + "/" + s.digest()));
            }
            return digests.size() == 1 && !digests.iterator().next().endsWith("/null");
        });
    }

    private static void await(String what, BooleanSupplier condition) {
        ThreeManagers.await(PATIENCE, what, condition);
    }
}
