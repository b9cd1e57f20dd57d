package org.mipfed.node.importer;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.util.Arrays;

/**
 * Reads RFC 4180 records (comma separated, fields optionally in double quotes with doubled quotes
 * inside, CRLF or LF line ends) one at a time, reusing its buffers so a file of any size streams
 * through with no allocation per cell. A leading byte order mark and blank lines are skipped, as
 * pandas does. Cells are exposed as slices of a char array, so numbers are parsed without Strings.
 */
final class CsvReader {
    /** A record longer than this is almost surely a quote that was never closed. */
    static final int MAX_RECORD_CHARS = 1 << 24;

    private final Reader in;
    private final char[] buffer = new char[1 << 16];
    private int position;
    private int limit;
    private boolean exhausted;
    private boolean started;

    private char[] record = new char[4096];
    private int length;
    private int[] starts = new int[256];
    private int[] ends = new int[256];
    private int cells;

    /** The physical line at {@link #position}, 1-based. */
    private long line = 1;

    private long recordLine;

    CsvReader(Reader in) {
        this.in = requireNonNull(in, "in is null");
    }

    /** Reads the next record; false at the end of the input. */
    boolean next() throws IOException, CsvFormatException {
        if (!started) {
            started = true;
            if (fill() && buffer[position] == '\uFEFF') {
                position++;
            }
        }
        while (true) {
            if (position >= limit && !fill()) {
                return false;
            }
            char c = buffer[position];
            if (c == '\n') {
                position++;
                line++;
            } else if (c == '\r') {
                position++;
                skipLineFeed();
                line++;
            } else {
                break;
            }
        }
        recordLine = line;
        cells = 0;
        length = 0;
        while (true) {
            int start = length;
            if (position >= limit && !fill()) {
                endCell(start);
                return true;
            }
            if (buffer[position] == '"') {
                position++;
                readQuoted();
            } else {
                readUnquoted();
            }
            endCell(start);
            if (position >= limit && !fill()) {
                return true;
            }
            char c = buffer[position++];
            if (c == '\n') {
                line++;
                return true;
            }
            if (c == '\r') {
                skipLineFeed();
                line++;
                return true;
            }
            // Otherwise c is the comma that ends the cell: the next cell follows.
        }
    }

    private void readUnquoted() throws IOException, CsvFormatException {
        while (true) {
            if (position >= limit && !fill()) {
                return;
            }
            int p = position;
            char[] b = buffer;
            int end = limit;
            while (p < end) {
                char c = b[p];
                // Digits, letters, '.' and '-' all sort after ','; one comparison clears nearly every char.
                if (c > ',') {
                    p++;
                    continue;
                }
                if (c == ',' || c == '\n' || c == '\r') {
                    break;
                }
                if (c == '"') {
                    throw new CsvFormatException(
                            line,
                            "cell " + (cells + 1) + " has a double quote but does not start with one; "
                                    + "enclose the whole cell in double quotes and double each quote inside it");
                }
                p++;
            }
            append(position, p - position);
            position = p;
            if (p < end) {
                return;
            }
        }
    }

    private void readQuoted() throws IOException, CsvFormatException {
        while (true) {
            if (position >= limit && !fill()) {
                throw new CsvFormatException(
                        recordLine, "a cell opens a double quote that is never closed; close it or double the quote");
            }
            int p = position;
            while (p < limit && buffer[p] != '"') {
                if (buffer[p] == '\n') {
                    line++;
                }
                p++;
            }
            append(position, p - position);
            position = p;
            if (p == limit) {
                continue;
            }
            position++;
            if (position >= limit && !fill()) {
                return;
            }
            char c = buffer[position];
            if (c == '"') {
                appendQuote();
                position++;
            } else if (c == ',' || c == '\n' || c == '\r') {
                return;
            } else {
                throw new CsvFormatException(
                        line,
                        "cell " + (cells + 1) + " has text after its closing double quote; "
                                + "double the quotes inside a quoted cell");
            }
        }
    }

    private void skipLineFeed() throws IOException {
        if ((position < limit || fill()) && buffer[position] == '\n') {
            position++;
        }
    }

    private boolean fill() throws IOException {
        if (exhausted) {
            return false;
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            exhausted = true;
            position = 0;
            limit = 0;
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private void append(int from, int count) throws CsvFormatException {
        ensure(count);
        System.arraycopy(buffer, from, record, length, count);
        length += count;
    }

    private void appendQuote() throws CsvFormatException {
        ensure(1);
        record[length++] = '"';
    }

    private void ensure(int more) throws CsvFormatException {
        if (length + more > record.length) {
            if (length + more > MAX_RECORD_CHARS) {
                throw new CsvFormatException(
                        recordLine,
                        "the row is longer than " + MAX_RECORD_CHARS
                                + " characters, probably because a double quote is never closed");
            }
            record = Arrays.copyOf(record, Math.min(MAX_RECORD_CHARS, Math.max(record.length * 2, length + more)));
        }
    }

    private void endCell(int start) {
        if (cells == starts.length) {
            starts = Arrays.copyOf(starts, cells * 2);
            ends = Arrays.copyOf(ends, cells * 2);
        }
        starts[cells] = start;
        ends[cells] = length;
        cells++;
    }

    /** The number of cells of the current record. */
    int size() {
        return cells;
    }

    /** The line the current record starts on, 1-based. */
    long line() {
        return recordLine;
    }

    char[] chars() {
        return record;
    }

    int start(int cell) {
        return starts[cell];
    }

    int end(int cell) {
        return ends[cell];
    }

    boolean isEmpty(int cell) {
        return starts[cell] == ends[cell];
    }

    String text(int cell) {
        return new String(record, starts[cell], ends[cell] - starts[cell]);
    }
}
