package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The federation's identity and the manager's addresses, fixed at {@code mipfed manager init} and
 * kept in {@code D/federation.json}.
 */
public record FederationConfig(
        String federationId,
        String advertiseAddr,
        int grpcPort,
        int httpPort,
        String httpHost,
        Instant createdAt) {
    public static final int DEFAULT_GRPC_PORT = 2377;
    public static final int DEFAULT_HTTP_PORT = 9090;

    public FederationConfig {
        requireNonNull(federationId, "federationId is null");
        requireNonNull(advertiseAddr, "advertiseAddr is null");
        if (httpHost == null || httpHost.isBlank()) {
            httpHost = "0.0.0.0";
        }
    }
}
