package org.mipfed.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.mipfed.core.audit.AuditVerifier;
import org.mipfed.core.json.Json;

class TestAuditLog {
    private static final String MANAGER = "CN=fed.example.org,OU=manager,O=fed-1";

    @TempDir
    Path directory;

    @Test
    void writesOneChainedJsonLinePerEntry() throws Exception {
        Path file = directory.resolve("n/audit.log");
        try (AuditLog log = new AuditLog(file, "node-7")) {
            log.record(new AuditEntry(
                    Instant.parse("2024-05-01T10:00:00Z"),
                    "r1",
                    "alice\nmallory",
                    "describe",
                    "dementia:0.1",
                    List.of("edsd0"),
                    List.of("leftamygdala", "gender"),
                    List.of("gender"),
                    42,
                    AuditEntry.ANSWERED,
                    null,
                    7,
                    MANAGER,
                    null));
            log.record(new AuditEntry(
                    Instant.parse("2024-05-01T10:00:01Z"),
                    "r2",
                    "bob",
                    "levels",
                    "dementia:0.1",
                    List.of("x"),
                    List.of("gender"),
                    List.of(),
                    -1,
                    AuditEntry.REFUSED,
                    "unknown_dataset",
                    1,
                    "",
                    null));
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0))
                .startsWith(
                        "{\"seq\":1,\"time\":\"2024-05-01T10:00:00Z\",\"request_id\":\"r1\",\"manager\":\"" + MANAGER
                                + "\",\"requester\":\"alice\\nmallory\",\"primitive\":\"describe\",\"data_model\":\"dementia:0.1\",\"datasets\":[\"edsd0\"],"
                                + "\"variables\":[\"leftamygdala\",\"gender\"],\"filter_variables\":[\"gender\"],\"rows_used\":42,\"outcome\":\"answered\","
                                + "\"millis\":7,\"prev\":\"");
        assertThat(lines.get(1))
                .startsWith(
                        "{\"seq\":2,\"time\":\"2024-05-01T10:00:01Z\",\"request_id\":\"r2\",\"manager\":\"\","
                                + "\"requester\":\"bob\",\"primitive\":\"levels\",\"data_model\":\"dementia:0.1\",\"datasets\":[\"x\"],\"variables\":[\"gender\"],"
                                + "\"filter_variables\":[],\"rows_used\":-1,\"outcome\":\"refused\",\"rule\":\"unknown_dataset\",\"millis\":1,\"prev\":\"");
        assertThat(Json.mapper().readTree(lines.get(1)).path("prev").asText())
                .isEqualTo(Json.mapper().readTree(lines.get(0)).path("hash").asText());

        try (AuditLog reopened = new AuditLog(file, "node-7")) {
            reopened.record(new AuditEntry(
                    Instant.now(),
                    "r3",
                    "c",
                    "levels",
                    "m",
                    List.of(),
                    List.of(),
                    List.of(),
                    0,
                    AuditEntry.ANSWERED,
                    null,
                    0,
                    "",
                    null));
        }
        assertThat(Files.readAllLines(file)).hasSize(3);
        AuditVerifier.Result result = AuditVerifier.verify(file, "node-7");
        assertThat(result.ok()).as(result.problem()).isTrue();
        assertThat(result.lines()).isEqualTo(3);
    }

    @Test
    void aTamperedLogStopsTheNodeFromOpeningIt() throws Exception {
        Path file = directory.resolve("audit.log");
        try (AuditLog log = new AuditLog(file, "node-7")) {
            for (int i = 0; i < 3; i++) {
                log.record(new AuditEntry(
                        Instant.now(),
                        "r" + i,
                        "t",
                        "describe",
                        "m",
                        List.of("d"),
                        List.of("v"),
                        List.of(),
                        20,
                        AuditEntry.ANSWERED,
                        null,
                        0,
                        "",
                        null));
            }
        }
        Files.write(file, Files.readAllLines(file).subList(0, 2));
        assertThatThrownBy(() -> new AuditLog(file, "node-7"))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("lines 3 to 3 were removed");
        assertThat(AuditVerifier.verify(file).brokenLine()).isEqualTo(3);
    }

    @Test
    void keepsLinesWholeUnderConcurrentWriters() throws Exception {
        Path file = directory.resolve("audit.log");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (AuditLog log = new AuditLog(file, "node-7")) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) {
                        log.record(new AuditEntry(
                                Instant.now(),
                                thread + "-" + i,
                                "r",
                                "describe",
                                "m",
                                List.of("d"),
                                List.of("v"),
                                List.of(),
                                i,
                                AuditEntry.ANSWERED,
                                null,
                                0,
                                MANAGER,
                                null));
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> ids = new HashSet<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode node = Json.mapper().readTree(line);
            ids.add(node.path("request_id").asText());
        }
        assertThat(ids).hasSize(800);
        assertThat(AuditVerifier.verify(file, "node-7").ok()).isTrue();
    }
}
