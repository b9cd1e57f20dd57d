package org.mipfed.manager.join;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.JoinToken;
import org.mipfed.core.security.Role;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.state.FederationState;
import org.mipfed.manager.state.StateStore;

/** Which role a presented token grants: exactly the role of the current token it equals, and nothing for anything else. */
class TestJoinTokens {
    @TempDir
    Path dir;

    private X509Certificate ca;
    private final AtomicReference<String> digest = new AtomicReference<>();
    private JoinTokens tokens;

    @BeforeEach
    void federation() {
        ca = CertificateAuthority.create("fed", dir.resolve("ca")).certificate();
        digest.set(CaDigest.of(ca));
        StateStore store = StateStore.create(
                dir.resolve("state.json"),
                new FederationState(
                        JoinToken.generate(ca).secret(),
                        JoinToken.generate(ca).secret(),
                        List.of(),
                        List.of(),
                        List.of()));
        tokens = new JoinTokens(store, digest::get);
    }

    @Test
    void eachTokenGrantsItsOwnRoleOnly() {
        assertThat(tokens.roleOf(tokens.token(Role.WORKER))).contains(Role.WORKER);
        assertThat(tokens.roleOf(tokens.token(Role.MANAGER))).contains(Role.MANAGER);
        assertThat(tokens.roleOf(tokens.token(Role.WORKER) + "\n")).contains(Role.WORKER);
    }

    @Test
    void anythingElseGrantsNothing() {
        String worker = tokens.token(Role.WORKER);
        String secret = worker.substring(worker.lastIndexOf('-') + 1);
        // one character of the secret changed
        char last = secret.charAt(secret.length() - 1);
        assertThat(tokens.roleOf(worker.substring(0, worker.length() - 1) + (last == 'a' ? 'b' : 'a')))
                .isEmpty();
        // the right secret with another federation's digest
        String otherDigest = CaDigest.of(
                CertificateAuthority.create("other", dir.resolve("other")).certificate());
        assertThat(tokens.roleOf(new JoinToken(otherDigest, secret).format())).isEmpty();
        // not a token at all
        assertThat(tokens.roleOf("")).isEmpty();
        assertThat(tokens.roleOf("SWMTKN-1-abc")).isEmpty();
        // a rotated token
        tokens.rotate(Role.WORKER, ca);
        assertThat(tokens.roleOf(worker)).isEmpty();
        assertThat(tokens.roleOf(tokens.token(Role.WORKER))).contains(Role.WORKER);
    }

    @Test
    void theDigestFollowsTheCaSoOldTokensStopWorkingWhenARotationFinishes() {
        String before = tokens.token(Role.WORKER);
        String newDigest = CaDigest.of(
                CertificateAuthority.create("fed", dir.resolve("next")).certificate());
        digest.set(newDigest);
        assertThat(tokens.token(Role.WORKER))
                .startsWith(JoinToken.PREFIX + newDigest + "-")
                .endsWith(before.substring(before.lastIndexOf('-')));
        assertThat(tokens.roleOf(before)).isEmpty();
        assertThat(tokens.roleOf(tokens.token(Role.WORKER))).contains(Role.WORKER);
    }
}
