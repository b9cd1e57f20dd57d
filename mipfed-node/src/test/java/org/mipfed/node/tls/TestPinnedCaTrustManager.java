package org.mipfed.node.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mipfed.core.security.CaDigest;
import org.mipfed.core.security.KeyPairs;

class TestPinnedCaTrustManager {
    private static final String AUTH = "ECDHE_ECDSA";

    private static PkiFixture federation;
    private static PkiFixture impostor;
    private static X509Certificate manager;

    @BeforeAll
    static void createCertificates() throws Exception {
        federation = new PkiFixture("fed");
        impostor = new PkiFixture("evil");
        manager = federation.server(KeyPairs.generate());
    }

    @Test
    void acceptsAChainHoldingTheCaWithTheTokensDigestAndPinsIt() throws Exception {
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(federation.ca));
        assertThat(pinning.pinnedCa()).isEmpty();

        pinning.checkServerTrusted(new X509Certificate[] {manager, federation.ca}, AUTH);

        assertThat(pinning.pinnedCa()).contains(federation.ca);
        assertThat(pinning.mismatch()).isNull();
    }

    @Test
    void refusesAManagerWhoseCaHasAnotherDigest() throws Exception {
        X509Certificate impostorManager = impostor.server(KeyPairs.generate());
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(federation.ca));

        assertRefused(
                pinning,
                new X509Certificate[] {impostorManager, impostor.ca},
                "no certificate in the manager's chain has the digest");
        assertThat(pinning.pinnedCa()).isEmpty();
        assertThat(pinning.mismatch()).contains("no certificate in the manager's chain has the digest");
    }

    @Test
    void refusesAChainThatDoesNotCarryTheCa() {
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(federation.ca));

        assertRefused(pinning, new X509Certificate[] {manager}, "no certificate in the manager's chain has the digest");
    }

    @Test
    void refusesAManagerNotSignedByThePinnedCaEvenIfTheCaIsInTheChain() throws Exception {
        // an impostor who copied the real CA certificate (it is public) but holds a certificate from another CA
        X509Certificate impostorManager = impostor.server(KeyPairs.generate());
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(federation.ca));

        assertRefused(
                pinning, new X509Certificate[] {impostorManager, federation.ca}, "does not verify against the CA");
        assertThat(pinning.pinnedCa()).isEmpty();
    }

    @Test
    void refusesADigestThatNamesALeafCertificate() {
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(manager));

        assertRefused(pinning, new X509Certificate[] {manager, federation.ca}, "is not a CA certificate");
    }

    @Test
    void refusesAnExpiredManagerCertificate() throws Exception {
        X509Certificate expired = federation.leaf(
                KeyPairs.generate(),
                "CN=localhost, OU=manager, O=fed",
                Instant.now().minus(Duration.ofDays(1)),
                KeyPurposeId.id_kp_serverAuth);
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(federation.ca));

        assertRefused(pinning, new X509Certificate[] {expired, federation.ca}, "does not verify against the CA");
    }

    @Test
    void refusesAnExpiredCa() throws Exception {
        PkiFixture old = new PkiFixture(
                "old", Instant.now().minus(Duration.ofDays(20)), Instant.now().minus(Duration.ofDays(1)));
        KeyPair keys = KeyPairs.generate();
        X509Certificate oldManager = old.leaf(
                keys,
                "CN=localhost, OU=manager, O=old",
                Instant.now().plus(Duration.ofDays(1)),
                KeyPurposeId.id_kp_serverAuth);
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(old.ca));

        assertRefused(
                pinning, new X509Certificate[] {oldManager, old.ca}, "the CA with the token's digest is not valid now");
    }

    @Test
    void refusesANodeCertificatePosingAsTheManager() throws Exception {
        // a member node holds a certificate from the same CA, but for TLS clients only
        X509Certificate node = federation.client(KeyPairs.generate());
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(federation.ca));

        assertRefused(pinning, new X509Certificate[] {node, federation.ca}, "does not verify against the CA");
    }

    @Test
    void refusesAnEmptyChainAndNeverTrustsClients() {
        PinnedCaTrustManager pinning = new PinnedCaTrustManager(CaDigest.of(federation.ca));

        assertRefused(pinning, new X509Certificate[0], "presented no certificate");
        assertThatThrownBy(() -> pinning.checkClientTrusted(new X509Certificate[] {manager, federation.ca}, AUTH))
                .isInstanceOf(CertificateException.class);
        assertThat(pinning.getAcceptedIssuers()).isEmpty();
    }

    @Test
    void needsADigest() {
        assertThatThrownBy(() -> new PinnedCaTrustManager("abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        new PinnedCaTrustManager(CaDigest.of(federation.ca).toUpperCase()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertRefused(PinnedCaTrustManager pinning, X509Certificate[] chain, String reason) {
        assertThatThrownBy(() -> pinning.checkServerTrusted(chain, AUTH))
                .isInstanceOf(CertificateException.class)
                .hasMessageStartingWith(
                        "the manager's CA does not match the digest in the join token: wrong token or man-in-the-middle")
                .hasMessageContaining(reason);
    }
}
