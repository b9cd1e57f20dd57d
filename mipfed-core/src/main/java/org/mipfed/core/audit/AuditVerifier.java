package org.mipfed.core.audit;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Checks a {@link HashChainedLog} line by line and reports the first line that is wrong: a changed line (its hash
 * does not match its bytes), a removed line (a seq skipped), lines in the wrong order, an inserted line (a seq
 * repeated, or a line the next one does not chain to), a torn or cut-off end (against the checkpoint) and lines
 * appended after the checkpoint by anything but the log's writer. Reads the log once, in constant memory.
 */
public final class AuditVerifier {
    private AuditVerifier() {}

    /**
     * The outcome.
     *
     * @param lines the number of lines read
     * @param lastHash the last line's hash (the genesis value for an empty log)
     * @param brokenLine the first line found wrong (1-based), or 0 when the log is sound
     * @param problem what is wrong with it, or null
     */
    public record Result(Path file, long lines, String lastHash, long brokenLine, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /** How long verification waits for a running writer to seal the lines it has just appended. */
    private static final Duration SEALING_PATIENCE = Duration.ofSeconds(1);

    /** Verifies {@code log} against its checkpoint; the log's identity is the one the (sealed) checkpoint names. */
    public static Result verify(Path log) {
        return verify(log, null);
    }

    /**
     * Verifies {@code log} against its checkpoint and, when {@code identity} is given, that it is the log of
     * {@code identity} (its first line starts that log's chain).
     */
    public static Result verify(Path log, String identity) {
        requireNonNull(log, "log is null");
        if (!Files.isRegularFile(log)) {
            return new Result(log, 0, "", 1, "there is no audit log at " + log);
        }
        Checkpoint checkpoint;
        try {
            // a running writer seals its newest lines within about 50 ms of appending them
            HashChainedLog.awaitSealed(log, SEALING_PATIENCE);
            checkpoint = Checkpoint.read(log, Checkpoint.readKey(log));
        } catch (IOException e) {
            return new Result(log, 0, "", 1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(log, 0, "", 1, "the verification was interrupted");
        }
        if (checkpoint == null) {
            return new Result(
                    log,
                    0,
                    "",
                    1,
                    "its checkpoint " + Checkpoint.fileOf(log).getFileName()
                            + " is missing, so lines cut off its end could not be seen");
        }
        if (identity != null && !identity.equals(checkpoint.log())) {
            return new Result(
                    log,
                    0,
                    "",
                    1,
                    "its checkpoint says it is the audit log of '" + checkpoint.log() + "', not of '" + identity + "'");
        }
        return scan(log, checkpoint.log(), checkpoint);
    }

    /** Checks the chain alone, from the genesis of {@code identity}, without a checkpoint. */
    static Result verifyChain(Path log, String identity) {
        return scan(log, identity, null);
    }

    private static Result scan(Path log, String identity, Checkpoint checkpoint) {
        String previousHash = ChainedLine.genesis(identity);
        String beforePrevious = null;
        String atCheckpoint = checkpoint != null && checkpoint.seq() == 0 ? previousHash : null;
        long number = 0;
        try (LogLines.Forward lines = new LogLines.Forward(log)) {
            byte[] bytes = lines.next();
            ChainedLine.Decoded next = bytes == null ? null : ChainedLine.decode(bytes);
            while (bytes != null) {
                number++;
                ChainedLine.Decoded line = next;
                byte[] following = lines.next();
                boolean whole = following != null || lines.endedWithNewline();
                next = following == null ? null : ChainedLine.decode(following);
                if (!whole) {
                    return broken(
                            log,
                            number,
                            previousHash,
                            number,
                            "it is cut off in the middle (no newline at its end): the log was "
                                    + "truncated, or its writer crashed while writing it");
                }
                Finding finding = problem(line, next, number, previousHash, beforePrevious);
                if (finding != null) {
                    return broken(log, number - 1, previousHash, finding.line(), finding.what());
                }
                beforePrevious = previousHash;
                previousHash = line.statedHash();
                if (checkpoint != null && number == checkpoint.seq()) {
                    atCheckpoint = previousHash;
                }
                bytes = following;
            }
        } catch (IOException e) {
            return new Result(log, number, previousHash, number + 1, "it cannot be read: " + e.getMessage());
        }
        if (checkpoint != null) {
            if (number < checkpoint.seq()) {
                return broken(
                        log,
                        number,
                        previousHash,
                        number + 1,
                        "the log ends after line " + number + " but its checkpoint records " + checkpoint.seq()
                                + " lines: lines " + (number + 1) + " to " + checkpoint.seq() + " were cut off");
            }
            if (!checkpoint.hash().equals(atCheckpoint)) {
                return broken(
                        log,
                        number,
                        previousHash,
                        Math.max(1, checkpoint.seq()),
                        "it is not the line the checkpoint records: the log "
                                + "was rewritten (hashes recomputed) up to here");
            }
            if (number > checkpoint.seq()) {
                return broken(
                        log,
                        number,
                        previousHash,
                        checkpoint.seq() + 1,
                        "it comes after the last checkpointed line ("
                                + checkpoint.seq()
                                + "): appended by something other than the log's writer, or the writer crashed before "
                                + "updating its checkpoint (it does so when it opens the log again)");
            }
        }
        return new Result(log, number, previousHash, 0, null);
    }

    /** A wrong line and what is wrong with it. */
    private record Finding(long line, String what) {}

    /** What is wrong with {@code line} (number {@code number}), or null; an inserted line is seen only at the line after it. */
    private static Finding problem(
            ChainedLine.Decoded line,
            ChainedLine.Decoded next,
            long number,
            String previousHash,
            String beforePrevious) {
        if (line.json() == null && !line.hashMatches()) {
            return new Finding(number, "it is not a JSON audit line (it was changed)");
        }
        if (!line.hashMatches()) {
            return new Finding(number, "its content does not match its hash: the line was changed");
        }
        long seq = line.seq();
        if (seq == number) {
            if (!line.prev().equals(previousHash)) {
                return new Finding(
                        number,
                        number == 1
                                ? "it does not start this log's chain: it is another log's line, or the log's first lines were replaced"
                                : "it does not chain to line " + (number - 1)
                                        + " (its prev is not that line's hash): a line was inserted or "
                                        + "replaced before it");
            }
            return null;
        }
        if (seq == number - 1 && beforePrevious != null && line.prev().equals(beforePrevious)) {
            return new Finding(number - 1, "it was inserted (the next line carries its seq and chains past it)");
        }
        if (seq > number) {
            if (next != null && next.seq() == number) {
                return new Finding(
                        number,
                        "it is out of order: it carries seq " + seq + " and the next line carries " + number
                                + " (lines were swapped)");
            }
            return new Finding(
                    number,
                    "it carries seq " + seq + " where " + number + " was expected: "
                            + (seq == number + 1
                                    ? "line " + number + " was"
                                    : "lines " + number + " to " + (seq - 1) + " were")
                            + " removed");
        }
        return new Finding(
                number,
                "it carries seq " + seq + " where " + number + " was expected: a line was duplicated, inserted or "
                        + "moved here");
    }

    private static Result broken(Path log, long lines, String lastHash, long at, String problem) {
        return new Result(log, lines, lastHash, at, "line " + at + ": " + problem);
    }
}
