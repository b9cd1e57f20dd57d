package org.mipfed.node.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.security.CaEndorsement;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Pem;
import org.mipfed.node.NodePaths;
import org.mipfed.node.tls.NodeCredentials;
import org.mipfed.node.tls.PkiFixture;
import org.mipfed.proto.v1.NodeMessage;
import org.mipfed.proto.v1.RenewalResponse;
import org.mipfed.proto.v1.TrustUpdate;
import org.mipfed.proto.v1.TrustedCa;

/**
 * The node's half of renewal and CA rotation, on real files: when it asks, which certificates it accepts, which CAs
 * it comes to trust, and that key and certificate are replaced together even across a crash.
 */
class TestCertificateRenewal {
    private static final String NODE = "node1";

    @TempDir
    Path dir;

    private PkiFixture pki;
    private NodePaths paths;
    private KeyPair keys;

    @BeforeEach
    void joinedNode() throws Exception {
        pki = new PkiFixture("fed");
        paths = new NodePaths(dir);
        Files.createDirectories(paths.key().getParent());
        keys = KeyPairs.generate();
        Pem.writePrivateKey(paths.key(), keys.getPrivate());
        Pem.writeCertificate(
                paths.certificate(),
                nodeCertificate(pki, keys, NODE, Instant.now().plus(Duration.ofDays(30))));
        Pem.writeCertificate(paths.caCertificate(), pki.ca);
    }

    @Test
    void asksAtTwoThirdsOfTheLifetimeWithANewKeyForItsOwnId() throws Exception {
        CertificateRenewal renewal = new CertificateRenewal(NodeCredentials.load(paths.credentials()), NODE);
        // issued two days ago, good for 30 more: not due
        assertThat(renewal.request()).isEmpty();

        // issued two days ago, good for one more: two thirds of three days have passed
        Pem.writeCertificate(
                paths.certificate(),
                nodeCertificate(pki, keys, NODE, Instant.now().plus(Duration.ofDays(1))));
        renewal = new CertificateRenewal(NodeCredentials.load(paths.credentials()), NODE);
        NodeMessage request = renewal.request().orElseThrow();
        PKCS10CertificationRequest csr =
                new PKCS10CertificationRequest(request.getRenew().getCsrDer().toByteArray());
        assertThat(csr.getSubject().toString()).isEqualTo("CN=" + NODE);
        assertThat(csr.getSubjectPublicKeyInfo().getEncoded())
                .isNotEqualTo(keys.getPublic().getEncoded());
        // one request at a time: no second one while the first waits for its answer
        assertThat(renewal.request()).isEmpty();
    }

    @Test
    void storesTheRenewedPairOnlyIfItIsForItsKeyItsIdAndATrustedCa() throws Exception {
        Pem.writeCertificate(
                paths.certificate(),
                nodeCertificate(pki, keys, NODE, Instant.now().plus(Duration.ofDays(1))));
        NodeCredentials credentials = NodeCredentials.load(paths.credentials());
        CertificateRenewal renewal = new CertificateRenewal(credentials, NODE);

        // another node's id
        PKCS10CertificationRequest csr = csr(renewal.request().orElseThrow());
        assertThat(renewal.renewed(issued(nodeCertificate(pki, csr, "node2")))).isFalse();
        // another key
        forceRequest(renewal);
        assertThat(renewal.renewed(issued(nodeCertificate(
                        pki, KeyPairs.generate(), NODE, Instant.now().plus(Duration.ofDays(30))))))
                .isFalse();
        // a CA the node does not trust
        csr = csr(forceRequest(renewal));
        assertThat(renewal.renewed(issued(nodeCertificate(new PkiFixture("fed"), csr, NODE))))
                .isFalse();
        assertThat(NodeCredentials.load(paths.credentials()).current().certificate())
                .isEqualTo(credentials.current().certificate());

        csr = csr(forceRequest(renewal));
        X509Certificate good = nodeCertificate(pki, csr, NODE);
        assertThat(renewal.renewed(issued(good))).isTrue();
        NodeCredentials reloaded = NodeCredentials.load(paths.credentials());
        assertThat(reloaded.current().certificate()).isEqualTo(good);
        assertThat(reloaded.current().key()).isNotEqualTo(keys.getPrivate());
        assertThat(good.getPublicKey().getEncoded())
                .isEqualTo(csr.getSubjectPublicKeyInfo().getEncoded());
        try (Stream<Path> files = Files.list(paths.key().getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("node.key", "node.crt", "ca.crt");
        }
    }

    @Test
    void trustsANewCaOnlyWithAnEndorsementFromACaItTrusts() throws Exception {
        CertificateRenewal renewal = new CertificateRenewal(NodeCredentials.load(paths.credentials()), NODE);
        PkiFixture next = new PkiFixture("fed");
        PkiFixture rogue = new PkiFixture("fed");

        // unendorsed, and endorsed only by itself or by a CA the node does not know: refused
        renewal.trust(update(false, ca(pki.ca, null), ca(rogue.ca, new byte[] {1, 2, 3})));
        renewal.trust(
                update(false, ca(pki.ca, null), ca(rogue.ca, CaEndorsement.sign(rogue.caKeys.getPrivate(), rogue.ca))));
        assertThat(Pem.readCertificates(paths.caCertificate())).containsExactly(pki.ca);
        assertThat(renewal.request()).isEmpty();

        // endorsed by the CA it trusts: added, stored, and the node renews at once to move to it
        renewal.trust(
                update(true, ca(pki.ca, null), ca(next.ca, CaEndorsement.sign(pki.caKeys.getPrivate(), next.ca))));
        assertThat(Pem.readCertificates(paths.caCertificate())).containsExactly(pki.ca, next.ca);
        assertThat(renewal.request()).isPresent();

        // once the rotation is finished the old CA is dropped, but not while the node's own certificate is still under
        // it
        renewal.trust(update(false, ca(next.ca, null)));
        assertThat(Pem.readCertificates(paths.caCertificate())).containsExactly(pki.ca, next.ca);
    }

    @Test
    void aCrashWhileReplacingKeyAndCertificateLeavesAMatchingPair() throws Exception {
        X509Certificate old = Pem.readCertificate(paths.certificate());
        KeyPair newKeys = KeyPairs.generate();
        X509Certificate renewed =
                nodeCertificate(pki, newKeys, NODE, Instant.now().plus(Duration.ofDays(30)));
        Path keyNext = paths.key().resolveSibling("node.key.next");
        Path certificateNext = paths.certificate().resolveSibling("node.crt.next");

        // crash after the new key only: the old pair stands
        Pem.writePrivateKey(keyNext, newKeys.getPrivate());
        NodeCredentials loaded = NodeCredentials.load(paths.credentials());
        assertThat(loaded.current().certificate()).isEqualTo(old);
        assertThat(loaded.current().key()).isEqualTo(keys.getPrivate());
        assertThat(keyNext).doesNotExist();

        // crash after both were written: the new pair is completed
        Pem.writePrivateKey(keyNext, newKeys.getPrivate());
        Pem.writeCertificate(certificateNext, renewed);
        loaded = NodeCredentials.load(paths.credentials());
        assertThat(loaded.current().certificate()).isEqualTo(renewed);
        assertThat(loaded.current().key()).isEqualTo(newKeys.getPrivate());

        // crash between the two renames (key moved, certificate not yet): completed too
        KeyPair third = KeyPairs.generate();
        X509Certificate thirdCertificate =
                nodeCertificate(pki, third, NODE, Instant.now().plus(Duration.ofDays(30)));
        Pem.writePrivateKey(paths.key(), third.getPrivate());
        Pem.writeCertificate(certificateNext, thirdCertificate);
        loaded = NodeCredentials.load(paths.credentials());
        assertThat(loaded.current().certificate()).isEqualTo(thirdCertificate);
        assertThat(loaded.current().key()).isEqualTo(third.getPrivate());
        assertThat(certificateNext).doesNotExist();
    }

    private static NodeMessage forceRequest(CertificateRenewal renewal) {
        // the previous request was answered (refused), so a new one goes out at once
        return renewal.request().orElseThrow();
    }

    private static PKCS10CertificationRequest csr(NodeMessage request) throws Exception {
        return new PKCS10CertificationRequest(request.getRenew().getCsrDer().toByteArray());
    }

    private static RenewalResponse issued(X509Certificate certificate) throws Exception {
        return RenewalResponse.newBuilder()
                .setCertificateDer(ByteString.copyFrom(certificate.getEncoded()))
                .build();
    }

    private static TrustedCa ca(X509Certificate ca, byte[] endorsement) throws Exception {
        TrustedCa.Builder b = TrustedCa.newBuilder().setCertificateDer(ByteString.copyFrom(ca.getEncoded()));
        if (endorsement != null) {
            b.setEndorsement(ByteString.copyFrom(endorsement));
        }
        return b.build();
    }

    private static TrustUpdate update(boolean renewNow, TrustedCa... cas) {
        return TrustUpdate.newBuilder()
                .addAllCas(List.of(cas))
                .setRenewNow(renewNow)
                .build();
    }

    private static X509Certificate nodeCertificate(PkiFixture pki, KeyPair keys, String nodeId, Instant notAfter)
            throws Exception {
        return pki.leaf(keys, "CN=" + nodeId + ", OU=worker, O=fed", notAfter, KeyPurposeId.id_kp_clientAuth);
    }

    private static X509Certificate nodeCertificate(PkiFixture pki, PKCS10CertificationRequest csr, String nodeId)
            throws Exception {
        return pki.leaf(
                new KeyPair(new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo()), null),
                "CN=" + nodeId + ", OU=worker, O=fed",
                Instant.now().plus(Duration.ofDays(30)),
                KeyPurposeId.id_kp_clientAuth);
    }
}
