package org.mipfed.testing;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http cannot do on Java 17: send from a chosen loopback address
 * (127.0.0.0/8 is all loopback, so each address is a different client to the manager), send a chunked body of any
 * size as fast as the server takes it, and count how much of it the server took before it answered.
 */
final class RawHttp {
    /** An answer: status, headers (names in lower case), body, and how many body bytes were sent before it came. */
    record Response(int status, Map<String, String> headers, String body, long bytesSent) {
        Response {
            requireNonNull(headers, "headers is null");
            requireNonNull(body, "body is null");
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final String from;
    private final int port;

    /** A client at address {@code from} talking to the manager's HTTP port on 127.0.0.1. */
    RawHttp(String from, int port) {
        this.from = requireNonNull(from, "from is null");
        this.port = port;
    }

    /** A request with an exact body (or none) and the given extra header lines ("Name: value"). */
    Response send(String method, String path, String body, String... headers) {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = requestHead(method, path, headers);
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ")
                    .append(bytes.length)
                    .append("\r\n");
        }
        return exchange(head.append("\r\n").toString(), out -> out.write(bytes));
    }

    /**
     * A chunked body of {@code total} bytes (no Content-Length), written in 64 KiB chunks from another thread while
     * this one waits for the answer; writing stops when the server answers or closes.
     */
    Response sendChunked(String method, String path, long total, String... headers) {
        StringBuilder head = requestHead(method, path, headers)
                .append("Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        return exchange(head.toString(), out -> {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            chunk[0] = '[';
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (long sent = 0; sent < total; sent += chunk.length) {
                out.write(size);
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                chunk[0] = 'a';
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        });
    }

    /**
     * Declares a body of {@code declared} bytes but sends only its first KiB: the answer must not wait for the rest.
     * (Jetty dispatches a request once some of its body has come, so a body of nothing at all waits for its idle
     * timeout, without a thread.)
     */
    Response declareOnly(String method, String path, long declared, String... headers) {
        StringBuilder head = requestHead(method, path, headers)
                .append("Content-Type: application/json\r\nContent-Length: ")
                .append(declared)
                .append("\r\n\r\n");
        return exchange(head.toString(), out -> {
            out.write(new byte[1024]);
            out.flush();
        });
    }

    private StringBuilder requestHead(String method, String path, String... headers) {
        StringBuilder head = new StringBuilder(
                method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        return head;
    }

    @FunctionalInterface
    private interface Body {
        void write(OutputStream out) throws IOException;
    }

    private Response exchange(String head, Body body) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(60_000);
            AtomicLong sent = new AtomicLong();
            OutputStream raw = socket.getOutputStream();
            raw.write(head.getBytes(StandardCharsets.ISO_8859_1));
            raw.flush();
            OutputStream counting = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    raw.write(b);
                    sent.incrementAndGet();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                    sent.addAndGet(len);
                }
            };
            Thread writer = new Thread(
                    () -> {
                        try {
                            body.write(counting);
                            counting.flush();
                        } catch (IOException e) {
                            // the server answered and closed: what matters is how much it took
                        }
                    },
                    "raw-http-body");
            writer.setDaemon(true);
            writer.start();
            Response response = read(new BufferedInputStream(socket.getInputStream()), sent);
            socket.shutdownOutput();
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException("HTTP from " + from + " failed: " + e.getMessage(), e);
        }
    }

    private static Response read(InputStream in, AtomicLong sent) throws IOException {
        String status = line(in);
        long bytesSent = sent.get();
        if (status == null || !status.startsWith("HTTP/1.1 ")) {
            throw new IOException("no HTTP answer: " + status);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.merge(
                    line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    line.substring(colon + 1).trim(),
                    (a, b) -> a + ", " + b);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
                    size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(
                Integer.parseInt(status.substring(9, 12)), headers, body.toString(StandardCharsets.UTF_8), bytesSent);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                return line.toString().replaceAll("\r$", "");
            }
            line.append((char) c);
        }
        return line.length() == 0 ? null : line.toString();
    }
}
