package org.mipfed.node.control;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.BiConsumer;
import org.mipfed.core.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running node's local control socket (a Unix domain socket file in the data directory, mode
 * 0600: only the node's own OS user can reach it; no network port). {@code mipfed data import} uses
 * it to have the running node import files, so the store is never opened by two processes and the
 * new datasets reach the manager at once. One JSON request line in, JSON lines out.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);

    /** Handles one request; writes progress and the final answer through the sink. */
    @FunctionalInterface
    public interface Handler {
        void handle(JsonNode request, BiConsumer<String, ObjectNode> sink);
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile boolean closed;

    private ControlServer(Path socket, ServerSocketChannel server, Handler handler) {
        this.socket = socket;
        this.server = server;
        this.acceptor = new Thread(() -> accept(handler), "mipfed-control");
        this.acceptor.setDaemon(true);
    }

    public static ControlServer start(Path socket, Handler handler) throws IOException {
        requireNonNull(handler, "handler is null");
        Files.deleteIfExists(socket);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        ControlServer control = new ControlServer(socket, server, handler);
        control.acceptor.start();
        return control;
    }

    private void accept(Handler handler) {
        while (!closed) {
            try {
                SocketChannel client = server.accept();
                Thread t = new Thread(() -> serve(client, handler), "mipfed-control-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("control socket: {}", e.getMessage());
                }
                return;
            }
        }
    }

    private static void serve(SocketChannel client, Handler handler) {
        try (client;
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
                OutputStream out = Channels.newOutputStream(client)) {
            String line = in.readLine();
            if (line == null) {
                return;
            }
            JsonNode request = Json.mapper().readTree(line);
            handler.handle(request, (kind, body) -> {
                body.put("kind", kind);
                try {
                    out.write((body.toString() + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException e) {
                    LOG.debug("control client went away: {}", e.getMessage());
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.warn("control request failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.debug("closing control socket: {}", e.getMessage());
        }
    }
}
