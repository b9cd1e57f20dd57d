package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        Instant createdAt,
        Duration nodeCertificateValidity) {
    public static final int DEFAULT_GRPC_PORT = 2377;
    public static final int DEFAULT_HTTP_PORT = 9090;
    /** Node certificates live 30 days and are renewed over the session at two thirds of that. */
    public static final Duration DEFAULT_NODE_CERTIFICATE_VALIDITY = Duration.ofDays(30);

    public FederationConfig {
        requireNonNull(federationId, "federationId is null");
        requireNonNull(advertiseAddr, "advertiseAddr is null");
        if (httpHost == null || httpHost.isBlank()) {
            httpHost = "0.0.0.0";
        }
        for (int port : new int[] {grpcPort, httpPort}) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException((port == grpcPort ? "grpcPort" : "httpPort")
                        + " must be a port number from 1 to 65535 " + "(0: any free port), not " + port);
            }
        }
        if (nodeCertificateValidity == null) {
            // federations created before certificates were short-lived
            nodeCertificateValidity = DEFAULT_NODE_CERTIFICATE_VALIDITY;
        }
        if (nodeCertificateValidity.isNegative() || nodeCertificateValidity.isZero()) {
            throw new IllegalArgumentException(
                    "nodeCertificateValidity must be positive, not " + nodeCertificateValidity);
        }
    }

    public FederationConfig(
            String federationId, String advertiseAddr, int grpcPort, int httpPort, String httpHost, Instant createdAt) {
        this(federationId, advertiseAddr, grpcPort, httpPort, httpHost, createdAt, DEFAULT_NODE_CERTIFICATE_VALIDITY);
    }

    /**
     * Reads a lifetime as a person writes it: a number and a unit, {@code s}, {@code m}, {@code h} or {@code d}
     * ({@code 30d}, {@code 12h}, {@code 90s}).
     *
     * @throws IllegalArgumentException saying what is expected
     */
    public static Duration parseValidity(String text) {
        requireNonNull(text, "text is null");
        Matcher m = Pattern.compile("(\\d{1,9})([smhd])").matcher(text.strip());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("'" + text
                    + "' is not a lifetime: write a positive number and a unit s, m, h or d (e.g. 30d, 12h, 90s)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
