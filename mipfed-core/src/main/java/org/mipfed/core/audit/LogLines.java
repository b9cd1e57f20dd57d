package org.mipfed.core.audit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reading a log as lines of raw bytes, forwards from the start or backwards from the end. */
final class LogLines {
    private static final int CHUNK = 64 * 1024;

    private LogLines() {}

    /** Forwards, one line at a time (without its newline), in constant memory. */
    static final class Forward implements Closeable {
        private final InputStream in;
        private boolean endedWithNewline = true;

        Forward(Path file) throws IOException {
            this.in = new BufferedInputStream(Files.newInputStream(file), CHUNK);
        }

        /** The next line, or null at the end. */
        byte[] next() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    return line.toByteArray();
                }
                line.write(b);
            }
            if (line.size() == 0) {
                return null;
            }
            endedWithNewline = false;
            return line.toByteArray();
        }

        /** After {@link #next()} returned the last line: whether it ended with a newline (a whole line). */
        boolean endedWithNewline() {
            return endedWithNewline;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /** The length of the file up to and including its last newline: where a torn last line (if any) starts. */
    static long wholeLinesEnd(FileChannel channel) throws IOException {
        long position = channel.size();
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        while (position > 0) {
            int length = (int) Math.min(CHUNK, position);
            buffer.clear().limit(length);
            readFully(channel, buffer, position - length);
            for (int i = length - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') {
                    return position - length + i + 1;
                }
            }
            position -= length;
        }
        return 0;
    }

    /** Up to {@code limit} whole lines ending at {@code end} (a line boundary), newest first. */
    static List<byte[]> backwards(FileChannel channel, long end, int limit) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        byte[] carry = new byte[0];
        long position = end;
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
        while (position > 0 && lines.size() < limit) {
            int length = (int) Math.min(CHUNK, position);
            buffer.clear().limit(length);
            readFully(channel, buffer, position - length);
            position -= length;
            byte[] chunk = new byte[length + carry.length];
            buffer.flip();
            buffer.get(chunk, 0, length);
            System.arraycopy(carry, 0, chunk, length, carry.length);
            // the last byte of the region is the newline ending the newest line
            int stop = chunk.length;
            if (position + length == end && stop > 0 && chunk[stop - 1] == '\n') {
                stop--;
            }
            int i = stop - 1;
            for (; i >= 0 && lines.size() < limit; i--) {
                if (chunk[i] == '\n') {
                    lines.add(Arrays.copyOfRange(chunk, i + 1, stop));
                    stop = i;
                }
            }
            carry = Arrays.copyOf(chunk, stop);
        }
        if (position == 0 && carry.length > 0 && lines.size() < limit) {
            lines.add(carry);
        }
        return lines;
    }

    static List<byte[]> backwards(Path file, int limit) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return backwards(channel, wholeLinesEnd(channel), limit);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long at) throws IOException {
        long position = at;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new IOException("the file ended early while reading it backwards");
            }
            position += read;
        }
    }
}
