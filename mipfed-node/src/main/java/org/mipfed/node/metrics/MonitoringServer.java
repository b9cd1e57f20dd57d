package org.mipfed.node.metrics;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.mipfed.core.metrics.ProcessMetrics;

/**
 * The node's monitoring port ({@code mipfed node run --metrics-addr HOST:PORT}): {@code GET /metrics} (Prometheus'
 * text format), {@code GET /healthz} (the process is alive) and {@code GET /readyz} (it can serve). No credentials
 * and no details: it is for the hospital's own monitoring, on loopback unless the operator names another address,
 * and it answers nothing about the data. The node opens no port to the manager's side.
 */
public final class MonitoringServer implements AutoCloseable {
    private static final String TEXT = "text/plain; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MonitoringServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves on {@code address}.
     *
     * @param metrics the text of {@code /metrics}
     * @param ready whether {@code /readyz} says 200 (else 503)
     * @throws UncheckedIOException if the address cannot be bound, with what to do
     */
    public static MonitoringServer start(InetSocketAddress address, Supplier<String> metrics, BooleanSupplier ready) {
        requireNonNull(address, "address is null");
        requireNonNull(metrics, "metrics is null");
        requireNonNull(ready, "ready is null");
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot serve metrics on " + address.getHostString() + ":" + address.getPort() + " ("
                            + e.getMessage() + "): is the port taken? Choose another with --metrics-addr HOST:PORT.",
                    e);
        }
        server.createContext(
                "/metrics", exchange -> respond(exchange, 200, metrics.get(), ProcessMetrics.CONTENT_TYPE));
        server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n", TEXT));
        server.createContext("/readyz", exchange -> {
            boolean ok;
            try {
                ok = ready.getAsBoolean();
            } catch (RuntimeException e) {
                ok = false;
            }
            respond(exchange, ok ? 200 : 503, ok ? "ready\n" : "not ready\n", TEXT);
        });
        server.createContext(
                "/", exchange -> respond(exchange, 404, "not found: try /metrics, /healthz or /readyz\n", TEXT));
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "mipfed-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new MonitoringServer(server, executor);
    }

    /**
     * Reads {@code HOST:PORT}, {@code :PORT} or {@code PORT}; without a host it is loopback (127.0.0.1).
     *
     * @throws IllegalArgumentException with the expected form
     */
    public static InetSocketAddress parse(String value) {
        requireNonNull(value, "value is null");
        int colon = value.lastIndexOf(':');
        String host = colon < 0 ? "" : value.substring(0, colon);
        String port = colon < 0 ? value : value.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 0 || number > 65535) {
            throw new IllegalArgumentException("--metrics-addr '" + value
                    + "' is not HOST:PORT (e.g. 127.0.0.1:9464, or :9464 for loopback; port 0 to 65535)");
        }
        return new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, number);
    }

    /** The port bound (the one chosen when 0 was asked for). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange exchange, int status, String body, String type) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")
                    && !exchange.getRequestMethod().equals("HEAD")) {
                status = 405;
                body = "only GET\n";
                type = TEXT;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
