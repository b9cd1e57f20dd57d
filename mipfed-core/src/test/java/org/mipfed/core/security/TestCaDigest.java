package org.mipfed.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TestCaDigest {
    @Test
    void isTheSha256FingerprintOpensslPrints() throws URISyntaxException {
        // openssl x509 -in openssl-ca.crt -noout -fingerprint -sha256, without the colons, in lower case
        assertThat(CaDigest.of(Pem.readCertificate(resource("openssl-ca.crt"))))
                .isEqualTo("26d4004608cedb7e039e4bd84bd58b44aa5a5a5dc6f269533a38104d9076ea5e");
    }

    @Test
    void recognisesTheShapeOfADigest() {
        assertThat(CaDigest.isDigest("26d4004608cedb7e039e4bd84bd58b44aa5a5a5dc6f269533a38104d9076ea5e"))
                .isTrue();
        assertThat(CaDigest.isDigest("26D4004608cedb7e039e4bd84bd58b44aa5a5a5dc6f269533a38104d9076ea5e"))
                .isFalse();
        assertThat(CaDigest.isDigest("26d4004608cedb7e039e4bd84bd58b44aa5a5a5dc6f269533a38104d9076ea5"))
                .isFalse();
        assertThat(CaDigest.isDigest(null)).isFalse();
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(TestCaDigest.class.getResource(name).toURI());
    }
}
