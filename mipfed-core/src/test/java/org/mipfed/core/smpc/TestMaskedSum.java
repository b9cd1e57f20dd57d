package org.mipfed.core.smpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mipfed.core.security.KeyPairs;

class TestMaskedSum {
    private static final double[][] VALUES = {
        {120, 5321.5, 2.4e8, -0.0123, 1.0e-3},
        {75, 3111.25, 1.1e8, 0.0456, -2.5e-3},
        {301, 12000.0, 9.9e8, -0.0011, 7.0e-4},
        {42, 1500.75, 3.3e7, 0.0333, 1.2e-3}
    };

    @Test
    void masksCancelAndTheSumEqualsThePlainSum() throws Exception {
        TestFederation fed = new TestFederation("node-a", "node-b", "node-c", "node-d");
        TestFederation.Session session = fed.new Session("req-1");
        MaskedSum sum = new MaskedSum("req-1", 5);
        double[] plain = new double[5];
        for (int k = 0; k < 4; k++) {
            BigInteger[] masked = session.mask(fed.members.get(k).id(), VALUES[k]);
            assertThat(masked).doesNotContain(FixedPoint.encode(VALUES[k]));
            sum.add(fed.members.get(k).id(), MaskedSum.fromBytes(MaskedSum.toBytes(masked)));
            for (int i = 0; i < 5; i++) {
                plain[i] += VALUES[k][i];
            }
        }
        assertRelativelyEqual(sum.decode(), plain);
        assertThatThrownBy(() -> sum.add("node-a", new BigInteger[5])).hasMessageContaining("twice");
        assertThatThrownBy(() -> sum.add("node-e", new BigInteger[3])).hasMessageContaining("3 masked numbers, not 5");
    }

    @Test
    void selfMasksHideEachVectorUntilTheirSeedsAreRevealed() throws Exception {
        TestFederation fed = new TestFederation("node-a", "node-b", "node-c");
        TestFederation.Session session = fed.new Session("req-self");
        MaskedSum sum = new MaskedSum("req-self", 5);
        double[] plain = new double[5];
        java.util.Map<String, byte[]> seeds = new java.util.HashMap<>();
        for (int k = 0; k < 3; k++) {
            String id = fed.members.get(k).id();
            seeds.put(id, SelfMask.newSeed());
            sum.add(
                    id,
                    MaskedSum.mask(
                            "req-self",
                            id,
                            session.ephemeral.get(id).getPrivate(),
                            session.verified,
                            seeds.get(id),
                            VALUES[k]));
            for (int i = 0; i < 5; i++) {
                plain[i] += VALUES[k][i];
            }
        }
        // Pairwise masks cancel; the self-masks do not, so the sum is noise until the seeds are known.
        assertThat(Math.abs(sum.decode()[1] - plain[1])).isGreaterThan(1e6);
        for (String id : seeds.keySet()) {
            byte[] rebuilt = SelfMask.fromSecret(
                    ShamirSecretSharing.reconstruct(ShamirSecretSharing.split(SelfMask.toSecret(seeds.get(id)), 3, 2)
                            .subList(1, 3)));
            sum.removeSelfMask(id, rebuilt);
        }
        assertRelativelyEqual(sum.decode(), plain);
        assertThatThrownBy(() -> sum.removeSelfMask("node-z", SelfMask.newSeed()))
                .hasMessageContaining("were not added");
    }

    @Test
    void aKeyIsAcceptedOnlyWithItsNodesCertificateSessionAndCa() throws Exception {
        TestFederation fed = new TestFederation("node-a", "node-b");
        TestFederation.Member a = fed.members.get(0);
        KeyPair e = SignedSmpcKey.newEphemeralKeyPair();
        SignedSmpcKey signed = SignedSmpcKey.sign(
                "req-1", "node-a", e, a.certificate(), a.certificateKeys().getPrivate());
        assertThat(signed.verify("req-1", fed.ca).getEncoded())
                .isEqualTo(e.getPublic().getEncoded());

        // replayed into another session
        assertThatThrownBy(() -> signed.verify("req-2", fed.ca))
                .isInstanceOf(GeneralSecurityException.class)
                .hasMessageContaining("does not verify");
        // another key under a's signature (a manager swapping keys)
        SignedSmpcKey swapped = new SignedSmpcKey(
                "node-a",
                a.certificate(),
                SignedSmpcKey.newEphemeralKeyPair().getPublic().getEncoded(),
                signed.signature());
        assertThatThrownBy(() -> swapped.verify("req-1", fed.ca)).hasMessageContaining("does not verify");
        // a's key passed off as b's
        SignedSmpcKey claimed = new SignedSmpcKey("node-b", a.certificate(), signed.publicKey(), signed.signature());
        assertThatThrownBy(() -> claimed.verify("req-1", fed.ca))
                .hasMessageContaining("comes with node node-a's certificate");
        // a certificate from another CA (e.g. minted by a manager that does not hold the federation CA's key)
        TestFederation other = new TestFederation("node-a");
        TestFederation.Member forged = other.members.get(0);
        SignedSmpcKey fromOther = SignedSmpcKey.sign(
                "req-1",
                "node-a",
                e,
                forged.certificate(),
                forged.certificateKeys().getPrivate());
        assertThatThrownBy(() -> fromOther.verify("req-1", fed.ca))
                .hasMessageContaining("the federation CA did not issue");
        // signed with a key that is not the certificate's
        SignedSmpcKey wrongKey = SignedSmpcKey.sign(
                "req-1", "node-a", e, a.certificate(), KeyPairs.generate().getPrivate());
        assertThatThrownBy(() -> wrongKey.verify("req-1", fed.ca)).hasMessageContaining("does not verify");
    }

    @Test
    void sharesTravelEncryptedBetweenThePairOnly() throws Exception {
        KeyPair a = SignedSmpcKey.newEphemeralKeyPair();
        KeyPair b = SignedSmpcKey.newEphemeralKeyPair();
        KeyPair c = SignedSmpcKey.newEphemeralKeyPair();
        byte[] share = "a share of a's key".getBytes();
        byte[] sealed = PairwiseSecret.derive("r", "a", a.getPrivate(), "b", b.getPublic())
                .seal(share);
        assertThat(PairwiseSecret.derive("r", "b", b.getPrivate(), "a", a.getPublic())
                        .open(sealed))
                .isEqualTo(share);
        assertThatThrownBy(() -> PairwiseSecret.derive("r", "c", c.getPrivate(), "a", a.getPublic())
                        .open(sealed))
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> PairwiseSecret.derive("other", "b", b.getPrivate(), "a", a.getPublic())
                        .open(sealed))
                .isInstanceOf(GeneralSecurityException.class);
        sealed[sealed.length - 1] ^= 1;
        assertThatThrownBy(() -> PairwiseSecret.derive("r", "b", b.getPrivate(), "a", a.getPublic())
                        .open(sealed))
                .isInstanceOf(GeneralSecurityException.class);
    }

    /**
     * The whole protocol in one process: the key round (signed keys, each node's private key
     * Shamir-shared to its peers under the pairwise share key), one node dropping before it sends its
     * masked vector, the survivors opening their shares of its key, and the manager removing its masks.
     */
    @Test
    void aNodeThatDropsAfterTheKeyRoundIsRecoveredFromAThresholdOfShares() throws Exception {
        TestFederation fed = new TestFederation("node-a", "node-b", "node-c", "node-d");
        TestFederation.Session session = fed.new Session("req-7");
        List<String> ids = new ArrayList<>(session.verified.keySet());
        int t = ShamirSecretSharing.threshold(ids.size());

        // key round: sender -> recipient -> sealed share of sender's private key
        Map<String, Map<String, byte[]>> sealedShares = new LinkedHashMap<>();
        for (String sender : ids) {
            List<ShamirSecretSharing.Share> shares = ShamirSecretSharing.split(
                    ShamirSecretSharing.fromPrivateKey(
                            session.ephemeral.get(sender).getPrivate()),
                    ids.size(),
                    t);
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (int k = 0; k < ids.size(); k++) {
                String to = ids.get(k);
                if (!to.equals(sender)) {
                    out.put(
                            to,
                            PairwiseSecret.derive(
                                            "req-7",
                                            sender,
                                            session.ephemeral.get(sender).getPrivate(),
                                            to,
                                            session.verified.get(to))
                                    .seal(shares.get(k).toBytes()));
                }
            }
            sealedShares.put(sender, out);
        }

        String dropped = "node-c";
        MaskedSum sum = new MaskedSum("req-7", 5);
        double[] plain = new double[5];
        Map<String, PublicKey> survivors = new LinkedHashMap<>();
        for (int k = 0; k < ids.size(); k++) {
            String id = ids.get(k);
            if (!id.equals(dropped)) {
                sum.add(id, session.mask(id, VALUES[k]));
                survivors.put(id, session.verified.get(id));
                for (int i = 0; i < 5; i++) {
                    plain[i] += VALUES[k][i];
                }
            }
        }
        // without recovery the dropped node's masks leave noise in the sum
        assertThat(Math.abs(sum.decode()[0] - plain[0])).isGreaterThan(1e6);
        // survivors open their shares of the dropped node's key (only t are needed)
        List<ShamirSecretSharing.Share> opened = new ArrayList<>();
        for (String s : survivors.keySet()) {
            if (opened.size() == t) {
                break;
            }
            byte[] plainShare = PairwiseSecret.derive(
                            "req-7", s, session.ephemeral.get(s).getPrivate(), dropped, session.verified.get(dropped))
                    .open(sealedShares.get(dropped).get(s));
            opened.add(ShamirSecretSharing.Share.fromBytes(plainShare));
        }
        PrivateKey droppedKey = ShamirSecretSharing.toPrivateKey(ShamirSecretSharing.reconstruct(opened));
        sum.removeMasksOf(dropped, droppedKey, survivors);
        assertRelativelyEqual(sum.decode(), plain);
        assertThatThrownBy(() -> sum.removeMasksOf("node-a", droppedKey, survivors))
                .hasMessageContaining("did not drop");
    }

    @Test
    void withoutRecoveryADroppedNodesMasksRuinTheSum() throws Exception {
        TestFederation fed = new TestFederation("node-a", "node-b", "node-c");
        TestFederation.Session session = fed.new Session("req-8");
        MaskedSum sum = new MaskedSum("req-8", 5);
        sum.add("node-a", session.mask("node-a", VALUES[0]));
        sum.add("node-b", session.mask("node-b", VALUES[1]));
        // which is why the manager must recover or fail, never decode a partial sum
        assertThat(Math.abs(sum.decode()[0] - (VALUES[0][0] + VALUES[1][0]))).isGreaterThan(1e6);
    }

    @Test
    void everyMaskedVectorNeedsItsOwnRequestId() throws Exception {
        TestFederation fed = new TestFederation("node-a", "node-b");
        TestFederation.Session session = fed.new Session("req-9");
        double[] first = {10.0};
        double[] second = {13.5};
        // the same id twice: the masks cancel in the difference, which the manager could read
        BigInteger reused = session.mask("node-a", second)[0].subtract(session.mask("node-a", first)[0]);
        assertThat(FixedPoint.decode(reused)).isEqualTo(3.5);
        // one id per round (what a session's iterative fit must do): the difference is noise
        BigInteger perRound = MaskedSum.mask(
                "req-9/2", "node-a", session.ephemeral.get("node-a").getPrivate(), session.verified, second)[0]
                .subtract(
                        MaskedSum.mask(
                                "req-9/1",
                                "node-a",
                                session.ephemeral.get("node-a").getPrivate(),
                                session.verified,
                                first)[0]);
        assertThat(Math.abs(FixedPoint.decode(perRound) - 3.5)).isGreaterThan(1e6);
    }

    static void assertRelativelyEqual(double[] actual, double[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i]))
                    .as("element %d: %s vs %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(1e-9 * Math.abs(expected[i]));
        }
    }
}
