package org.mipfed.core.smpc;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.mipfed.core.security.KeyPairs;

/**
 * A federation CA and nodes with CA-signed certificates (the real CA lives in the manager, which core
 * cannot see), and one session's key round among them: every node signs an ephemeral key and verifies
 * every peer's.
 */
final class TestFederation {
    final KeyPair caKeys = KeyPairs.generate();
    final X509Certificate ca;
    final List<Member> members = new ArrayList<>();

    record Member(String id, KeyPair certificateKeys, X509Certificate certificate) {}

    TestFederation(String... nodeIds) throws Exception {
        ca = certificate(caKeys, "CN=ca, OU=ca, O=fed", caKeys, "CN=ca, OU=ca, O=fed", true);
        for (String id : nodeIds) {
            KeyPair k = KeyPairs.generate();
            members.add(new Member(
                    id, k, certificate(k, "CN=" + id + ", OU=worker, O=fed", caKeys, "CN=ca, OU=ca, O=fed", false)));
        }
    }

    static X509Certificate certificate(
            KeyPair subjectKeys, String subject, KeyPair issuerKeys, String issuer, boolean isCa) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                new X500Name(issuer),
                BigInteger.valueOf(System.nanoTime()),
                Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(1))),
                new X500Name(subject),
                subjectKeys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(
                        new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(issuerKeys.getPrivate())));
    }

    /** One session: each node's ephemeral key pair and the verified public keys every node sees. */
    final class Session {
        final String requestId;
        final Map<String, KeyPair> ephemeral = new LinkedHashMap<>();
        final Map<String, PublicKey> verified = new LinkedHashMap<>();

        Session(String requestId) throws Exception {
            this.requestId = requestId;
            List<SignedSmpcKey> relayed = new ArrayList<>();
            for (Member m : members) {
                KeyPair e = SignedSmpcKey.newEphemeralKeyPair();
                ephemeral.put(m.id(), e);
                relayed.add(SignedSmpcKey.sign(
                        requestId,
                        m.id(),
                        e,
                        m.certificate(),
                        m.certificateKeys().getPrivate()));
            }
            for (SignedSmpcKey k : relayed) {
                verified.put(k.nodeId(), k.verify(requestId, ca));
            }
        }

        BigInteger[] mask(String nodeId, double[] values) {
            return MaskedSum.mask(requestId, nodeId, ephemeral.get(nodeId).getPrivate(), verified, values);
        }
    }
}
