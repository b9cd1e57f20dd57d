package org.mipfed.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestJoinToken {
    private static final String DIGEST = "26d4004608cedb7e039e4bd84bd58b44aa5a5a5dc6f269533a38104d9076ea5e";
    private static final String SECRET = "0123456789abcdefghijklmno";
    private static final String EXPECTED = "not a mipfed join token: expected MIPFED-1-<64 hex>-<25 chars>";

    private static X509Certificate ca;

    @BeforeAll
    static void createCa() throws Exception {
        ca = SelfSignedCertificates.of(KeyPairs.generate(), "CN=mipfed CA, O=fed", true);
    }

    @Test
    void generatedTokenNamesTheCaAndHasTheDockerShape() {
        JoinToken token = JoinToken.generate(ca);

        assertThat(token.digest()).isEqualTo(CaDigest.of(ca));
        assertThat(token.secret()).matches("[0-9a-z]{25}");
        assertThat(token.format()).matches("MIPFED-1-[0-9a-f]{64}-[0-9a-z]{25}");
        assertThat(token.format()).isEqualTo("MIPFED-1-" + CaDigest.of(ca) + "-" + token.secret());
        assertThat(token.toString()).isEqualTo(token.format());
    }

    @Test
    void secretsAreFresh() {
        Set<String> secrets = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            secrets.add(JoinToken.generate(ca).secret());
        }
        assertThat(secrets).hasSize(1000);
    }

    @Test
    void parsesWhatItFormats() {
        JoinToken token = JoinToken.generate(ca);

        assertThat(JoinToken.parse(token.format())).isEqualTo(token);
        assertThat(JoinToken.parse("MIPFED-1-" + DIGEST + "-" + SECRET)).isEqualTo(new JoinToken(DIGEST, SECRET));
    }

    @Test
    void ignoresSurroundingWhitespaceOfAPastedToken() {
        assertThat(JoinToken.parse("  MIPFED-1-" + DIGEST + "-" + SECRET + "\n"))
                .isEqualTo(new JoinToken(DIGEST, SECRET));
    }

    @Test
    void refusesMalformedTokensSayingWhatIsWrong() {
        assertInvalid("", "the token is empty");
        assertInvalid("hello", "it does not start with MIPFED-1-");
        assertInvalid("MIPFED-2-" + DIGEST + "-" + SECRET, "it does not start with MIPFED-1-");
        assertInvalid("mipfed-1-" + DIGEST + "-" + SECRET, "it does not start with MIPFED-1-");
        assertInvalid("SWMTKN-1-" + DIGEST + "-" + SECRET, "Docker Swarm token");
        assertInvalid(
                "MIPFED-1-" + DIGEST.toUpperCase() + "-" + SECRET, "the CA digest is not 64 lowercase hex characters");
        assertInvalid(
                "MIPFED-1-" + DIGEST.substring(1) + "-" + SECRET, "the CA digest is not 64 lowercase hex characters");
        assertInvalid(
                "MIPFED-1-" + DIGEST.substring(0, 63) + "g-" + SECRET,
                "the CA digest is not 64 lowercase hex characters");
        assertInvalid("MIPFED-1-" + DIGEST, "the secret is not 25 characters");
        assertInvalid("MIPFED-1-" + DIGEST + "-", "the secret is not 25 characters");
        assertInvalid("MIPFED-1-" + DIGEST + "-" + SECRET.substring(1), "the secret is not 25 characters");
        assertInvalid("MIPFED-1-" + DIGEST + "-" + SECRET + "p", "the secret is not 25 characters");
        assertInvalid("MIPFED-1-" + DIGEST + "-" + SECRET.toUpperCase(), "the secret is not 25 characters");
        assertInvalid("MIPFED-1-" + DIGEST + "-" + SECRET + "-extra", "the secret is not 25 characters");
    }

    @Test
    void errorsNeverRepeatTheSecret() {
        String cut = "MIPFED-1-" + DIGEST + "-" + SECRET.substring(0, 24);
        assertThatThrownBy(() -> JoinToken.parse(cut)).hasMessageNotContaining(SECRET.substring(0, 24));
        assertThatThrownBy(() -> new JoinToken(DIGEST, "TOO-SHORT-SECRET")).hasMessageNotContaining("TOO-SHORT-SECRET");
    }

    @Test
    void constructorChecksItsParts() {
        assertThatThrownBy(() -> new JoinToken(DIGEST.substring(2), SECRET))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JoinToken(DIGEST, SECRET + "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JoinToken(null, SECRET)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void matchesOnlyItsOwnSecret() {
        JoinToken token = new JoinToken(DIGEST, SECRET);

        assertThat(token.matchesSecret(SECRET)).isTrue();
        assertThat(token.matchesSecret(new String(SECRET.toCharArray()))).isTrue();
        assertThat(token.matchesSecret("0123456789abcdefghijklmnp")).isFalse();
        assertThat(token.matchesSecret("1123456789abcdefghijklmno")).isFalse();
        assertThat(token.matchesSecret(SECRET.substring(0, 24))).isFalse();
        assertThat(token.matchesSecret(SECRET + "p")).isFalse();
        assertThat(token.matchesSecret("")).isFalse();
        assertThat(token.matchesSecret(null)).isFalse();
    }

    private static void assertInvalid(String text, String reason) {
        assertThatThrownBy(() -> JoinToken.parse(text))
                .as(text)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(EXPECTED)
                .hasMessageContaining(reason);
    }
}
