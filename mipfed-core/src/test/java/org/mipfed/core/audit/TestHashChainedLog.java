package org.mipfed.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;

class TestHashChainedLog {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");

    @TempDir
    Path directory;

    @Test
    void chainsLinesFromAGenesisBoundToTheLogsIdentity() throws Exception {
        Path file = directory.resolve("a/audit.log");
        try (HashChainedLog log = HashChainedLog.open(file, "node-1")) {
            HashChainedLog.Appended first = log.append(T, entry(1));
            HashChainedLog.Appended second = log.append(T, entry(2));
            assertThat(first.seq()).isEqualTo(1);
            assertThat(second.seq()).isEqualTo(2);
            assertThat(log.recoveryNotes()).isEmpty();
        }
        List<String> lines = Files.readAllLines(file);
        JsonNode one = Json.mapper().readTree(lines.get(0));
        JsonNode two = Json.mapper().readTree(lines.get(1));
        assertThat(lines.get(0))
                .startsWith("{\"seq\":1,\"time\":\"2026-11-25T10:00:00Z\",\"user\":\"u1\",\"n\":1,\"prev\":\"");
        assertThat(one.path("prev").asText()).isEqualTo(ChainedLine.genesis("node-1"));
        assertThat(two.path("prev").asText()).isEqualTo(one.path("hash").asText());
        // the hash is SHA-256 over the line's own bytes without the hash
        String unhashed = lines.get(0).substring(0, lines.get(0).indexOf(",\"hash\":")) + "}";
        assertThat(one.path("hash").asText()).isEqualTo(ChainedLine.sha256(unhashed.getBytes(StandardCharsets.UTF_8)));
        assertThat(ChainedLine.genesis("node-1")).isNotEqualTo(ChainedLine.genesis("node-2"));

        AuditVerifier.Result result = AuditVerifier.verify(file, "node-1");
        assertThat(result.ok()).as(result.problem()).isTrue();
        assertThat(result.lines()).isEqualTo(2);
        assertThat(result.lastHash()).isEqualTo(two.path("hash").asText());
        assertThat(AuditVerifier.verify(file, "node-2").problem())
                .contains("the audit log of 'node-1', not of 'node-2'");
    }

    @Test
    void continuesTheChainAfterARestart() {
        Path file = directory.resolve("audit.log");
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            log.append(T, entry(1));
        }
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            assertThat(log.append(T, entry(2)).seq()).isEqualTo(2);
            assertThat(log.newest(5)).extracting(n -> n.path("seq").asLong()).containsExactly(2L, 1L);
        }
        assertThat(AuditVerifier.verify(file).lines()).isEqualTo(2);
        assertThatThrownBy(() -> HashChainedLog.open(file, "someone-else"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("the audit log of 'm', not of 'someone-else'");
    }

    @Test
    void twoWritersOfOneFileContinueEachOthersChain() {
        // as the manager and 'mipfed manager backup' do: each finds the other's lines and chains on from them
        Path file = directory.resolve("audit.log");
        try (HashChainedLog manager = HashChainedLog.open(file, "m");
                HashChainedLog backup = HashChainedLog.open(file, "m")) {
            assertThat(manager.append(T, entry(1)).seq()).isEqualTo(1);
            assertThat(backup.append(T, entry(2)).seq()).isEqualTo(2);
            assertThat(backup.append(T, entry(3)).seq()).isEqualTo(3);
            assertThat(manager.append(T, entry(4)).seq()).isEqualTo(4);
        }
        AuditVerifier.Result result = AuditVerifier.verify(file, "m");
        assertThat(result.ok()).as(result.problem()).isTrue();
        assertThat(result.lines()).isEqualTo(4);
    }

    @Test
    void aWriterStopsWhenLinesUnderItAreRemoved() throws Exception {
        Path file = directory.resolve("audit.log");
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            log.append(T, entry(1));
            log.append(T, entry(2));
            Files.write(file, Files.readAllLines(file).subList(0, 1));
            assertThatThrownBy(() -> log.append(T, entry(3)))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("it was cut from");
            assertThatThrownBy(() -> log.append(T, entry(3))).hasMessageContaining("failed earlier");
        }
    }

    @Test
    void concurrentAppendersMakeOneSoundChain() throws Exception {
        Path file = directory.resolve("audit.log");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        log.append(Instant.now(), entry(thread * 1000 + i));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        AuditVerifier.Result result = AuditVerifier.verify(file, "m");
        assertThat(result.ok()).as(result.problem()).isTrue();
        assertThat(result.lines()).isEqualTo(800);
        Set<Long> values = new HashSet<>();
        for (String line : Files.readAllLines(file)) {
            values.add(Json.mapper().readTree(line).path("n").asLong());
        }
        assertThat(values).hasSize(800);
    }

    @Test
    void manyThreadsShareFsyncsAndEveryLineIsOnDiskWhenItsAppendReturns() throws Exception {
        // group commit: the lines of threads that wait together are written and synced together; the checkpoint
        // follows them in the background, and verification after awaitCheckpoint finds every line sealed
        Path file = directory.resolve("audit.log");
        int threads = 16;
        int each = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        HashChainedLog.Appended appended = log.append(Instant.now(), entry(thread * 1000 + i));
                        // written before the append returned: the line is in the file, whatever the checkpoint says yet
                        String line = LogLines.backwards(file, threads * each).stream()
                                .map(b -> new String(b, StandardCharsets.UTF_8))
                                .filter(l -> l.startsWith("{\"seq\":" + appended.seq() + ","))
                                .findFirst()
                                .orElseThrow();
                        assertThat(line).contains("\"hash\":\"" + appended.hash() + "\"");
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            log.awaitCheckpoint();
            AuditVerifier.Result result = AuditVerifier.verify(file, "m");
            assertThat(result.ok()).as(result.problem()).isTrue();
            assertThat(result.lines()).isEqualTo(threads * each);
            assertThat(Checkpoint.read(file, Checkpoint.readKey(file)).seq()).isEqualTo(threads * each);
        } finally {
            pool.shutdownNow();
        }
        // and a restart continues from a checkpoint that needs no recovery
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            assertThat(log.recoveryNotes()).isEmpty();
            assertThat(log.append(T, entry(1)).seq()).isEqualTo(threads * each + 1);
        }
        try (var files = Files.list(directory)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
    }

    @Test
    void aCleanLogOfTenThousandLinesVerifies() {
        Path file = directory.resolve("audit.log");
        String last;
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            List<HashChainedLog.Appended> appended = List.of();
            for (int batch = 0; batch < 20; batch++) {
                List<ObjectNode> entries = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    entries.add(entry(batch * 500 + i));
                }
                appended = log.appendAll(T, entries);
            }
            last = appended.get(appended.size() - 1).hash();
            assertThat(appended.get(appended.size() - 1).seq()).isEqualTo(10_000);
        }
        AuditVerifier.Result result = AuditVerifier.verify(file, "m");
        assertThat(result.ok()).as(result.problem()).isTrue();
        assertThat(result.lines()).isEqualTo(10_000);
        assertThat(result.lastHash()).isEqualTo(last);
    }

    @Test
    void aTornLastLineIsCutOffWhenTheLogOpens() throws Exception {
        Path file = directory.resolve("audit.log");
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            log.append(T, entry(1));
        }
        Files.writeString(file, "{\"seq\":2,\"time\":\"2026", StandardOpenOption.APPEND);
        assertThat(AuditVerifier.verify(file).brokenLine()).isEqualTo(2);
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            assertThat(log.recoveryNotes()).singleElement().asString().contains("torn last line");
            assertThat(log.append(T, entry(2)).seq()).isEqualTo(2);
        }
        assertThat(AuditVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void linesWrittenAfterTheLastCheckpointAreKeptWhenTheyChain() throws Exception {
        Path file = directory.resolve("audit.log");
        Path checkpoint = Checkpoint.fileOf(file);
        Path saved = directory.resolve("saved.checkpoint");
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            log.append(T, entry(1));
            log.awaitCheckpoint();
            Files.copy(checkpoint, saved);
            log.append(T, entry(2));
            log.append(T, entry(3));
        }
        // as if the writer crashed after the lines' fsync but before their checkpoint
        Files.copy(saved, checkpoint, StandardCopyOption.REPLACE_EXISTING);
        assertThat(AuditVerifier.verify(file).brokenLine()).isEqualTo(2);
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            assertThat(log.recoveryNotes()).singleElement().asString().contains("kept lines 2 to 3");
        }
        assertThat(AuditVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void aReaderInAnotherProcessCanWaitForTheCheckpointToSealTheLastLine() throws Exception {
        Path file = directory.resolve("audit.log");
        Path saved = directory.resolve("saved.checkpoint");
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            log.append(T, entry(1));
            assertThat(HashChainedLog.awaitSealed(file, Duration.ofSeconds(5))).isTrue();
            Files.copy(Checkpoint.fileOf(file), saved);
            log.append(T, entry(2));
        }
        assertThat(HashChainedLog.awaitSealed(file, Duration.ofSeconds(5))).isTrue();
        // a checkpoint left behind (its writer gone before sealing line 2): waiting ends, unsealed
        Files.copy(saved, Checkpoint.fileOf(file), StandardCopyOption.REPLACE_EXISTING);
        assertThat(HashChainedLog.awaitSealed(file, Duration.ofMillis(50))).isFalse();
        assertThat(HashChainedLog.awaitSealed(directory.resolve("none.log"), Duration.ofMillis(50)))
                .isFalse();
    }

    @Test
    void aLogThatDoesNotMatchItsCheckpointDoesNotOpen() throws Exception {
        Path file = directory.resolve("audit.log");
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            for (int i = 1; i <= 5; i++) {
                log.append(T, entry(i));
            }
        }
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, 3));
        assertThatThrownBy(() -> HashChainedLog.open(file, "m"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("it ends at line 3 but its checkpoint records 5 lines: lines 4 to 5 were removed")
                .hasMessageContaining("mipfed audit verify --file");
        // the evidence is left as it was
        assertThat(Files.readAllLines(file)).hasSize(3);
        Files.write(file, List.of());
        assertThatThrownBy(() -> HashChainedLog.open(file, "m"))
                .hasMessageContaining("it is empty but its checkpoint records 5 lines");
    }

    @Test
    void aLogFromBeforeTheChainIsSetAside() throws Exception {
        Path file = directory.resolve("audit.log");
        Files.writeString(file, "{\"time\":\"2024-05-01T10:00:00Z\",\"request_id\":\"r1\"}\n");
        try (HashChainedLog log = HashChainedLog.open(file, "m")) {
            assertThat(log.recoveryNotes()).singleElement().asString().contains("before hash chaining");
            log.append(T, entry(1));
        }
        assertThat(AuditVerifier.verify(file).ok()).isTrue();
        try (var listing = Files.list(directory)) {
            assertThat(listing.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("audit.log.unchained-"));
        }
    }

    @Test
    void refusesEntriesThatUseTheLogsOwnFields() {
        try (HashChainedLog log = HashChainedLog.open(directory.resolve("audit.log"), "m")) {
            assertThatThrownBy(
                            () -> log.append(T, Json.mapper().createObjectNode().put("hash", "x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'hash'");
        }
    }

    @Test
    void aClosedLogTakesNoMoreLines() {
        HashChainedLog log = HashChainedLog.open(directory.resolve("audit.log"), "m");
        log.close();
        assertThatThrownBy(() -> log.append(T, entry(1)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("is closed");
    }

    static ObjectNode entry(int n) {
        return Json.mapper().createObjectNode().put("user", "u" + n).put("n", n);
    }
}
