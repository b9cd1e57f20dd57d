package org.mipfed.node.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.mipfed.core.security.KeyPairs;

class TestCsr {
    @Test
    void isASignedPkcs10RequestForTheNodesKey() throws Exception {
        KeyPair keys = KeyPairs.generate();

        PKCS10CertificationRequest request = new PKCS10CertificationRequest(Csr.create(keys, "hospital-a.example"));

        assertThat(request.getSubject().toString()).isEqualTo("CN=hospital-a.example");
        assertThat(new JcaPKCS10CertificationRequest(request).getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(keys.getPublic())))
                .isTrue();
        assertThat(request.getSignatureAlgorithm().getAlgorithm().getId())
                .isEqualTo("1.2.840.10045.4.3.2"); // ecdsa-with-SHA256
    }

    @Test
    void needsAHostname() {
        assertThatThrownBy(() -> Csr.create(KeyPairs.generate(), " ")).isInstanceOf(IllegalArgumentException.class);
    }
}
