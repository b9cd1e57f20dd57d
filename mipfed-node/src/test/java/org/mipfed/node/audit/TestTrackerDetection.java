package org.mipfed.node.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestTrackerDetection {
    private int requests;

    private AuditEntry entry(
            String requester,
            String primitive,
            List<String> datasets,
            List<String> variables,
            List<String> filters,
            long rows,
            String outcome) {
        return new AuditEntry(
                Instant.now(),
                "r" + ++requests,
                requester,
                primitive,
                "dementia:0.1",
                datasets,
                variables,
                filters,
                rows,
                outcome,
                outcome.equals(AuditEntry.REFUSED) ? "differencing" : null,
                1,
                "",
                null);
    }

    @Test
    void flagsThreeAnswersWhoseRowsAddUpToOneAndNothingElse(@TempDir Path dir) {
        Path file = dir.resolve("audit.log");
        try (AuditLog log = new AuditLog(file)) {
            List<String> x = List.of("lefthippocampus");
            List<String> edsd = List.of("edsd0");
            // The tracker: all rows, P or the old, P or the young.
            log.record(entry("mallory", "describe", edsd, x, List.of(), 60, AuditEntry.ANSWERED));
            log.record(entry(
                    "mallory",
                    "describe",
                    edsd,
                    x,
                    List.of("leftamygdala", "subjectageyears"),
                    31,
                    AuditEntry.ANSWERED));
            log.record(entry(
                    "mallory",
                    "describe",
                    edsd,
                    x,
                    List.of("leftamygdala", "subjectageyears"),
                    30,
                    AuditEntry.ANSWERED));
            // Ordinary work: all rows, women, men (30 + 30 - 60 = 0); a flow's rounds over the same rows; another
            // dataset's growth.
            log.record(entry("alice", "describe", edsd, x, List.of(), 60, AuditEntry.ANSWERED));
            log.record(entry("alice", "describe", edsd, x, List.of("gender"), 30, AuditEntry.ANSWERED));
            log.record(entry("alice", "describe", edsd, x, List.of("gender"), 30, AuditEntry.ANSWERED));
            for (int round = 0; round < 5; round++) {
                log.record(entry(
                        "alice",
                        "glm_step",
                        edsd,
                        List.of("gender", "lefthippocampus"),
                        List.of(),
                        58,
                        AuditEntry.ANSWERED));
            }
            log.record(entry("alice", "describe", List.of("edsd0", "edsd1"), x, List.of(), 120, AuditEntry.ANSWERED));
            log.record(entry(
                    "alice",
                    "describe",
                    List.of("edsd0", "edsd1"),
                    x,
                    List.of("subjectageyears"),
                    100,
                    AuditEntry.ANSWERED));
            log.record(entry(
                    "alice",
                    "describe",
                    List.of("edsd0", "edsd1"),
                    x,
                    List.of("subjectageyears"),
                    50,
                    AuditEntry.ANSWERED));
            // Refused requests count for nothing: the node released no figure.
            log.record(entry("bob", "describe", edsd, x, List.of(), 60, AuditEntry.ANSWERED));
            log.record(entry("bob", "describe", edsd, x, List.of("gender"), 31, AuditEntry.ANSWERED));
            log.record(entry("bob", "describe", edsd, x, List.of("gender"), 30, AuditEntry.REFUSED));
        }
        List<TrackerDetection.Finding> findings = TrackerDetection.scan(file, 10);
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.requester()).isEqualTo("mallory");
            assertThat(f.datasets()).containsExactly("edsd0");
            assertThat(f.variables()).containsExactly("lefthippocampus");
            assertThat(f.rows()).containsExactly(31L, 30L, 60L);
            assertThat(f.describe()).contains("mallory").contains("describe 1 rows");
        });
    }
}
