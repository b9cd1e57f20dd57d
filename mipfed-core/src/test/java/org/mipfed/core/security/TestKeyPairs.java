package org.mipfed.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import org.junit.jupiter.api.Test;

class TestKeyPairs {
    @Test
    void generatesFreshP256KeysThatSignWithEcdsaSha256() throws Exception {
        KeyPair keys = KeyPairs.generate();

        assertThat(keys.getPublic()).isInstanceOf(ECPublicKey.class);
        ECPublicKey publicKey = (ECPublicKey) keys.getPublic();
        assertThat(publicKey.getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(publicKey.getParams().toString()).contains("secp256r1");
        assertThat(KeyPairs.generate().getPublic()).isNotEqualTo(keys.getPublic());

        byte[] data = "aggregate".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
        signer.initSign(keys.getPrivate());
        signer.update(data);
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(keys.getPublic());
        verifier.update(data);
        assertThat(verifier.verify(signer.sign())).isTrue();
    }
}
