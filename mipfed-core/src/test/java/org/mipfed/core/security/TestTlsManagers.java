package org.mipfed.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.Principal;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class TestTlsManagers {
    @Test
    void keyManagerPresentsItsOneIdentityWhateverIssuersThePeerAsksFor() throws Exception {
        KeyPair keys = KeyPairs.generate();
        X509Certificate certificate = SelfSignedCertificates.of(keys, "CN=n, OU=worker, O=fed", false);
        X509ExtendedKeyManager manager = TlsManagers.keyManager(keys.getPrivate(), certificate);
        Principal[] otherIssuers = {new X500Principal("CN=someone else")};

        String alias = manager.chooseEngineClientAlias(new String[] {"RSA", "EC"}, otherIssuers, null);

        assertThat(alias).isNotNull();
        assertThat(manager.getCertificateChain(alias)).containsExactly(certificate);
        assertThat(manager.getPrivateKey(alias)).isEqualTo(keys.getPrivate());
        assertThat(manager.chooseEngineServerAlias("EC_EC", null, null)).isEqualTo(alias);
        assertThat(manager.chooseEngineServerAlias("RSA", null, null))
                .as("an EC key cannot serve an RSA handshake")
                .isNull();
        assertThat(manager.chooseEngineClientAlias(new String[] {"RSA"}, null, null))
                .isNull();
        assertThat(manager.getPrivateKey("other")).isNull();
    }

    @Test
    void trustManagerTrustsOnlyItsCa() throws Exception {
        X509Certificate ca = SelfSignedCertificates.of(KeyPairs.generate(), "CN=mipfed CA, O=fed", true);
        X509Certificate other = SelfSignedCertificates.of(KeyPairs.generate(), "CN=mipfed CA, O=other", true);
        var manager = TlsManagers.trustingOnly(ca);

        assertThat(manager.getAcceptedIssuers()).containsExactly(ca);
        assertThatThrownBy(() -> manager.checkServerTrusted(new X509Certificate[] {other}, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);
    }
}
