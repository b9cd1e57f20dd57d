package org.mipfed.manager.join;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.JoinToken;
import org.mipfed.core.security.Role;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The worker and manager join tokens: shown, rotated and checked (in constant time). */
public final class JoinTokens {
    private static final Logger LOG = LoggerFactory.getLogger(JoinTokens.class);

    private final StateStore store;
    private final Supplier<String> digest;
    /** Where nodes join ({@code host:port}), once the manager listens; null before. */
    private volatile String joinAddress;

    public JoinTokens(StateStore store, X509Certificate ca) {
        this(store, constant(CaDigest.of(requireNonNull(ca, "ca is null"))));
    }

    /** @param caDigest the digest of the CA joins are signed by now (it changes when a CA rotation finishes) */
    public JoinTokens(StateStore store, Supplier<String> caDigest) {
        this.store = requireNonNull(store, "store is null");
        this.digest = requireNonNull(caDigest, "caDigest is null");
    }

    /** Says where nodes join: the advertise address and the port the manager listens on for nodes. */
    public void joinAddress(String address) {
        this.joinAddress = requireNonNull(address, "address is null");
    }

    /** The command that joins a machine with a token, as the administrator hands it over; null before the manager listens. */
    public String joinCommand(String token) {
        String address = joinAddress;
        return address == null ? null : "mipfed node join --token " + token + " " + address;
    }

    private static Supplier<String> constant(String value) {
        return () -> value;
    }

    public String token(Role role) {
        String caDigest = digest.get();
        FederationState s = store.get();
        return switch (requireNonNull(role, "role is null")) {
            case WORKER -> new JoinToken(caDigest, s.workerSecret()).toString();
            case MANAGER -> new JoinToken(caDigest, s.managerSecret()).toString();
        };
    }

    /** Replaces a role's token: the old one joins nothing from now on; joined nodes are unaffected. */
    public String rotate(Role role, X509Certificate ca) {
        requireNonNull(role, "role is null");
        String secret = JoinToken.generate(ca).secret();
        store.update(s -> role == Role.WORKER
                ? s.withSecrets(secret, s.managerSecret())
                : s.withSecrets(s.workerSecret(), secret));
        LOG.info("{} join token rotated", role);
        return token(role);
    }

    /** The role a token grants, or empty when it is not a current token of this federation. */
    public Optional<Role> roleOf(String text) {
        JoinToken token;
        try {
            token = JoinToken.parse(text);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        FederationState s = store.get();
        String caDigest = digest.get();
        // Check both, always, so the time taken does not tell which one was close.
        boolean digestOk = MessageDigest.isEqual(
                caDigest.getBytes(StandardCharsets.US_ASCII), token.digest().getBytes(StandardCharsets.US_ASCII));
        boolean worker = token.matchesSecret(s.workerSecret());
        boolean manager = token.matchesSecret(s.managerSecret());
        if (!digestOk) {
            return Optional.empty();
        }
        if (manager) {
            return Optional.of(Role.MANAGER);
        }
        return worker ? Optional.of(Role.WORKER) : Optional.empty();
    }
}
