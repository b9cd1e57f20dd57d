package org.mipfed.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestPeerIdentity {
    @Test
    void readsNodeIdRoleAndFederationFromTheSubject() throws Exception {
        var certificate = SelfSignedCertificates.of(
                KeyPairs.generate(), "CN=3x9k2m1q8w7e6r5t4y3u2i1o0, OU=worker, O=fed42", false);

        assertThat(PeerIdentity.of(certificate))
                .isEqualTo(new PeerIdentity("3x9k2m1q8w7e6r5t4y3u2i1o0", "worker", "fed42"));
    }

    @Test
    void returnsValuesUnescaped() throws Exception {
        var certificate = SelfSignedCertificates.of(KeyPairs.generate(), "CN=node\\,1, OU=manager, O=a\\+b", false);

        assertThat(PeerIdentity.of(certificate)).isEqualTo(new PeerIdentity("node,1", "manager", "a+b"));
    }

    @Test
    void refusesACertificateThatIsNotANodeCertificate() throws Exception {
        var noRole = SelfSignedCertificates.of(KeyPairs.generate(), "CN=node, O=fed", false);
        var twoNames = SelfSignedCertificates.of(KeyPairs.generate(), "CN=a, CN=b, OU=worker, O=fed", false);

        assertThatThrownBy(() -> PeerIdentity.of(noRole))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one OU");
        assertThatThrownBy(() -> PeerIdentity.of(twoNames))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exactly one CN");
    }
}
