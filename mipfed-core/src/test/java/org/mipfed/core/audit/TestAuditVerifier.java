package org.mipfed.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;

/** Every way of tampering with a log is found, at the line where it happened. */
class TestAuditVerifier {
    private static final Instant T = Instant.parse("2026-11-25T10:00:00Z");
    private static final int LINES = 20;

    @TempDir
    Path directory;

    Path file;
    List<String> lines;

    @BeforeEach
    void writeLog() throws Exception {
        file = directory.resolve("audit.log");
        try (HashChainedLog log = HashChainedLog.open(file, "fed-1")) {
            for (int i = 1; i <= LINES; i++) {
                log.append(T, TestHashChainedLog.entry(i).put("details", "dataset edsd" + i));
            }
        }
        lines = Files.readAllLines(file);
        assertThat(AuditVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void aChangedByteIsFoundAtItsLine() throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        int at = offsetOf(7) + lines.get(6).indexOf("edsd7") + 4;
        bytes[at] = '8';
        Files.write(file, bytes);
        assertBroken(7, "its content does not match its hash: the line was changed");
    }

    @Test
    void aChangedByteThatBreaksTheJsonOrTheUtf8IsFoundToo() throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offsetOf(3)] = (byte) 0xC3;
        Files.write(file, bytes);
        assertBroken(3, "it is not a JSON audit line");
        bytes = Files.readAllBytes(file);
        bytes[offsetOf(3)] = '{';
        bytes[offsetOf(3) + lines.get(2).length() - 3] = 'x';
        Files.write(file, bytes);
        assertBroken(3, "its content does not match its hash");
    }

    @Test
    void aDeletedLineIsFound() throws Exception {
        List<String> changed = new ArrayList<>(lines);
        changed.remove(6);
        Files.write(file, changed);
        assertBroken(7, "it carries seq 8 where 7 was expected: line 7 was removed");
        changed.remove(6);
        Files.write(file, changed);
        assertBroken(7, "lines 7 to 8 were removed");
    }

    @Test
    void swappedLinesAreFound() throws Exception {
        List<String> changed = new ArrayList<>(lines);
        Collections.swap(changed, 6, 7);
        Files.write(file, changed);
        assertBroken(7, "it is out of order: it carries seq 8 and the next line carries 7 (lines were swapped)");
    }

    @Test
    void aTruncatedTailIsFound() throws Exception {
        Files.write(file, lines.subList(0, LINES - 3));
        assertBroken(
                LINES - 2,
                "the log ends after line 17 but its checkpoint records 20 lines: lines 18 to 20 were cut off");
        Files.writeString(file, String.join("\n", lines).substring(0, offsetOf(LINES) + 30));
        assertBroken(LINES, "it is cut off in the middle");
    }

    @Test
    void aForgedLineAppendedAtTheEndIsFound() throws Exception {
        // a forger who knows the format and computes a correct hash still has no checkpoint for the line
        String lastHash =
                Json.mapper().readTree(lines.get(LINES - 1)).path("hash").asText();
        ChainedLine.Encoded forged =
                ChainedLine.encode(LINES + 1, T.toString(), TestHashChainedLog.entry(99), lastHash);
        Files.write(file, forged.bytes(), java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(file, "\n", java.nio.file.StandardOpenOption.APPEND);
        assertBroken(LINES + 1, "it comes after the last checkpointed line (20)");
        // and a clumsy one is simply a wrong hash
        List<String> changed = new ArrayList<>(lines);
        changed.add(lines.get(LINES - 1).replace("\"seq\":20", "\"seq\":21"));
        Files.write(file, changed);
        assertBroken(LINES + 1, "its content does not match its hash");
    }

    @Test
    void anInsertedLineIsFound() throws Exception {
        String hashOf7 = Json.mapper().readTree(lines.get(6)).path("hash").asText();
        ChainedLine.Encoded forged = ChainedLine.encode(8, T.toString(), TestHashChainedLog.entry(99), hashOf7);
        List<String> changed = new ArrayList<>(lines);
        changed.add(7, new String(forged.bytes(), StandardCharsets.UTF_8));
        Files.write(file, changed);
        assertBroken(8, "it was inserted");
    }

    @Test
    void aRewrittenChainIsFoundAgainstTheCheckpoint() throws Exception {
        // change line 5 and recompute every hash after it: the chain is sound, the checkpoint is not met
        List<String> changed = new ArrayList<>(lines.subList(0, 4));
        String prev = Json.mapper().readTree(lines.get(3)).path("hash").asText();
        for (int i = 5; i <= LINES; i++) {
            JsonNode original = Json.mapper().readTree(lines.get(i - 1));
            ObjectNode fields = TestHashChainedLog.entry(i)
                    .put(
                            "details",
                            i == 5
                                    ? "nothing happened"
                                    : original.path("details").asText());
            ChainedLine.Encoded line = ChainedLine.encode(i, T.toString(), fields, prev);
            changed.add(new String(line.bytes(), StandardCharsets.UTF_8));
            prev = line.hash();
        }
        Files.write(file, changed);
        assertBroken(LINES, "the log was rewritten");
    }

    @Test
    void aChangedOrMissingCheckpointIsFound() throws Exception {
        Path checkpoint = Checkpoint.fileOf(file);
        String original = Files.readString(checkpoint);
        Files.writeString(checkpoint, original.replace("\"seq\":20", "\"seq\":17"));
        assertBroken(1, "does not match its seal");
        Files.delete(checkpoint);
        assertBroken(1, "its checkpoint audit.log.checkpoint is missing");
        Files.writeString(checkpoint, original);
        Files.delete(Checkpoint.keyOf(file));
        assertBroken(1, "the key");
    }

    @Test
    void anotherLogsLinesDoNotPass() throws Exception {
        Path other = directory.resolve("other/audit.log");
        try (HashChainedLog log = HashChainedLog.open(other, "fed-2")) {
            log.append(T, TestHashChainedLog.entry(1));
        }
        Files.copy(other, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertBroken(1, "it does not start this log's chain");
    }

    private int offsetOf(int line) {
        int offset = 0;
        for (int i = 0; i < line - 1; i++) {
            offset += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return offset;
    }

    private void assertBroken(long line, String problem) {
        AuditVerifier.Result result = AuditVerifier.verify(file);
        assertThat(result.ok()).isFalse();
        assertThat(result.brokenLine()).as(result.problem()).isEqualTo(line);
        assertThat(result.problem()).contains(problem);
    }
}
