package org.mipfed.core.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines of a {@link HashChainedLog} for those who build a chain elsewhere and must get the same bytes: the
 * managers' replicated state machine computes the federation's audit chain from the log and every manager writes the
 * same lines ({@link HashChainedLog#appendVerbatim}); a manager that misses lines reads them from another one's file
 * ({@link #read}) and checks them ({@link #parse}) before it takes them.
 */
public final class ChainLines {
    private ChainLines() {}

    /** One line: its seq, its hash and its exact bytes (without the newline). */
    public record Line(long seq, String hash, byte[] bytes) {}

    /**
     * A line as read back.
     *
     * @param seq its seq (-1 if it has none)
     * @param prev the hash it chains to
     * @param hash the hash it states
     * @param sound whether the stated hash is the hash of its bytes
     * @param json its fields (null if it is not JSON)
     */
    public record Parsed(long seq, String prev, String hash, boolean sound, JsonNode json) {}

    /** The {@code prev} of the first line of the log of {@code identity}. */
    public static String genesis(String identity) {
        return ChainedLine.genesis(identity);
    }

    /** Line {@code seq}, made at {@code time}, with {@code fields}, chained to {@code prev}: the bytes any writer writes. */
    public static Line encode(long seq, String time, ObjectNode fields, String prev) {
        ChainedLine.Encoded encoded = ChainedLine.encode(seq, time, fields, prev);
        return new Line(seq, encoded.hash(), encoded.bytes());
    }

    /** Reads one line (without its newline); never throws on damaged input. */
    public static Parsed parse(byte[] line) {
        ChainedLine.Decoded decoded = ChainedLine.decode(line);
        return new Parsed(decoded.seq(), decoded.prev(), decoded.statedHash(), decoded.hashMatches(), decoded.json());
    }

    /**
     * Whole lines of a log file from a byte offset.
     *
     * @param lines the lines read (without newlines)
     * @param next the offset just after the last of them
     */
    public record Page(List<byte[]> lines, long next) {}

    /**
     * Whole lines of {@code file} starting at byte {@code offset}, at most {@code maxBytes} of them but at least one
     * (a torn last line is not returned). An empty page when the file ends there or does not exist.
     */
    public static Page read(Path file, long offset, int maxBytes) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            long at = offset;
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Math.max(maxBytes, 4096), Math.max(0, size - at)));
            while (at < size) {
                buffer.clear();
                int n = channel.read(buffer, at);
                if (n <= 0) {
                    break;
                }
                byte[] chunk = buffer.array();
                int start = 0;
                boolean any = false;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        byte[] line = new byte[i - start];
                        System.arraycopy(chunk, start, line, 0, line.length);
                        lines.add(line);
                        start = i + 1;
                        any = true;
                        if (at + start - offset >= maxBytes) {
                            return new Page(lines, at + start);
                        }
                    }
                }
                if (!any) {
                    // a line longer than the buffer: read it whole
                    if (n < buffer.capacity()) {
                        break; // a torn last line
                    }
                    buffer = ByteBuffer.allocate(buffer.capacity() * 2);
                    continue;
                }
                at += start;
            }
            return new Page(lines, at);
        } catch (NoSuchFileException e) {
            return new Page(List.of(), offset);
        }
    }

    /** The size of {@code file}, or 0 if there is none. */
    public static long size(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }
}
