package org.mipfed.core.smpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestShamirSecretSharing {
    @Test
    void anyThresholdOfSharesRecoversTheSecret() {
        BigInteger secret = BigInteger.ONE.shiftLeft(256).subtract(BigInteger.valueOf(12345));
        int n = 5;
        int t = ShamirSecretSharing.threshold(n);
        assertThat(t).isEqualTo(3);
        List<ShamirSecretSharing.Share> shares = ShamirSecretSharing.split(secret, n, t);
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                for (int c = b + 1; c < n; c++) {
                    assertThat(ShamirSecretSharing.reconstruct(List.of(shares.get(a), shares.get(b), shares.get(c))))
                            .isEqualTo(secret);
                }
            }
        }
        assertThat(ShamirSecretSharing.reconstruct(shares)).isEqualTo(secret);
        // fewer than t shares interpolate some other field element
        assertThat(ShamirSecretSharing.reconstruct(List.of(shares.get(0), shares.get(3))))
                .isNotEqualTo(secret);
    }

    @Test
    void sharesSurviveTheirWireForm() {
        List<ShamirSecretSharing.Share> shares = ShamirSecretSharing.split(BigInteger.TEN, 3, 2);
        for (ShamirSecretSharing.Share s : shares) {
            assertThat(ShamirSecretSharing.Share.fromBytes(s.toBytes())).isEqualTo(s);
        }
        assertThatThrownBy(() -> ShamirSecretSharing.Share.fromBytes(new byte[3]))
                .hasMessageContaining("70 bytes");
        assertThatThrownBy(() -> ShamirSecretSharing.reconstruct(List.of(shares.get(0), shares.get(0))))
                .hasMessageContaining("same x");
    }

    @Test
    void anX25519PrivateKeyIsRebuiltFromItsShares() throws Exception {
        KeyPair a = SignedSmpcKey.newEphemeralKeyPair();
        KeyPair b = SignedSmpcKey.newEphemeralKeyPair();
        List<ShamirSecretSharing.Share> shares =
                ShamirSecretSharing.split(ShamirSecretSharing.fromPrivateKey(a.getPrivate()), 3, 2);
        PrivateKey rebuilt = ShamirSecretSharing.toPrivateKey(
                ShamirSecretSharing.reconstruct(List.of(shares.get(2), shares.get(0))));
        BigInteger[] original = PairwiseSecret.derive("r", "a", a.getPrivate(), "b", b.getPublic())
                .maskFor("a", 4);
        BigInteger[] fromShares =
                PairwiseSecret.derive("r", "a", rebuilt, "b", b.getPublic()).maskFor("a", 4);
        assertThat(fromShares).containsExactly(original);
    }
}
