package org.mipfed.core.security;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;

/**
 * A join token, {@code MIPFED-1-<digest>-<secret>}, shaped like Docker Swarm's {@code SWMTKN-1-…}.
 * The digest ({@link CaDigest}) lets a joining node check, during the TLS handshake and before it sends
 * anything, that it talks to the federation's manager; the secret then proves to the manager that the
 * node was invited.
 *
 * <p>{@link #toString()} is the token itself, so treat it as a secret: do not log it. Compare secrets with
 * {@link #matchesSecret(String)}, not {@link #equals(Object)}, which is not constant-time.
 *
 * @param digest lowercase hex SHA-256 of the CA certificate (64 characters)
 * @param secret 25 random characters of {@code [0-9a-z]}
 */
public record JoinToken(String digest, String secret) {
    /** Token format version 1; a future format gets a new number, so old nodes fail with a clear message. */
    public static final String PREFIX = "MIPFED-1-";

    public static final int SECRET_LENGTH = 25;
    private static final String EXPECTED = "not a mipfed join token: expected MIPFED-1-<64 hex>-<25 chars>";

    public JoinToken {
        requireNonNull(digest, "digest is null");
        requireNonNull(secret, "secret is null");
        if (!CaDigest.isDigest(digest)) {
            throw new IllegalArgumentException("a join token's CA digest must be 64 lowercase hex characters");
        }
        // the message never echoes the secret
        if (!Base36.isBase36(secret, SECRET_LENGTH)) {
            throw new IllegalArgumentException(
                    "a join token's secret must be " + SECRET_LENGTH + " characters of [0-9a-z]");
        }
    }

    /** A new token for the federation whose CA is {@code ca}, with a fresh secret from {@link java.security.SecureRandom}. */
    public static JoinToken generate(X509Certificate ca) {
        return new JoinToken(CaDigest.of(ca), Base36.random(SECRET_LENGTH));
    }

    /**
     * Parses a token as a person pasted it (surrounding whitespace, such as a trailing newline, is ignored).
     *
     * @throws IllegalArgumentException naming what is wrong, without repeating the text (it may be a secret)
     */
    public static JoinToken parse(String text) {
        requireNonNull(text, "text is null");
        String token = text.strip();
        if (token.startsWith("SWMTKN-")) {
            throw invalid("this is a Docker Swarm token; use the one printed by: mipfed join-token worker");
        }
        if (!token.startsWith(PREFIX)) {
            throw invalid(token.isEmpty() ? "the token is empty" : "it does not start with " + PREFIX);
        }
        String rest = token.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        String digest = dash < 0 ? rest : rest.substring(0, dash);
        if (!CaDigest.isDigest(digest)) {
            throw invalid("the CA digest is not 64 lowercase hex characters");
        }
        String secret = dash < 0 ? "" : rest.substring(dash + 1);
        if (!Base36.isBase36(secret, SECRET_LENGTH)) {
            throw invalid(
                    "the secret is not " + SECRET_LENGTH + " characters of [0-9a-z]; was the token cut when copied?");
        }
        return new JoinToken(digest, secret);
    }

    /** The token as text: {@code MIPFED-1-<digest>-<secret>}. */
    public String format() {
        return PREFIX + digest + "-" + secret;
    }

    /**
     * Whether {@code other} is this token's secret, compared in time that does not depend on where the
     * two differ (so a network caller cannot find the secret one character at a time).
     */
    public boolean matchesSecret(String other) {
        if (other == null) {
            return false;
        }
        return MessageDigest.isEqual(
                secret.getBytes(StandardCharsets.US_ASCII), other.getBytes(StandardCharsets.US_ASCII));
    }

    /** The token itself (see the class comment: it is a secret). */
    @Override
    public String toString() {
        return format();
    }

    private static IllegalArgumentException invalid(String reason) {
        return new IllegalArgumentException(EXPECTED + " (" + reason + ")");
    }
}
