package org.mipfed.node.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.mipfed.core.json.Json;

/** Talks to a running node over its control socket. */
public final class ControlClient {
    private ControlClient() {}

    /**
     * Sends one request and passes every answer line to {@code lines}; returns empty when no node is
     * running on that data directory (no socket, or nobody listening).
     */
    public static Optional<Boolean> call(Path socket, ObjectNode request, Consumer<JsonNode> lines) throws IOException {
        if (!Files.exists(socket)) {
            return Optional.empty();
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return Optional.empty();
        }
        try (channel;
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))) {
            Channels.newOutputStream(channel).write((request.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                lines.accept(Json.mapper().readTree(line));
            }
        }
        return Optional.of(true);
    }
}
