package org.mipfed.manager.ca;

import static java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE;
import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static java.nio.file.attribute.PosixFilePermission.OWNER_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.PeerIdentity;
import org.mipfed.core.security.Pem;
import org.mipfed.core.security.Role;
import org.mipfed.node.tls.Csr;

class TestCertificateAuthority {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final int DNS = 2;
    private static final int IP = 7;

    @TempDir
    Path dataDir;

    private Path caDir;
    private CertificateAuthority ca;

    @BeforeEach
    void createCa() {
        caDir = dataDir.resolve("ca");
        ca = CertificateAuthority.create("fed-1", caDir);
    }

    @Test
    void createsASelfSignedTenYearCa() throws Exception {
        X509Certificate certificate = ca.certificate();

        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=mipfed CA,O=fed-1");
        assertThat(certificate.getIssuerX500Principal()).isEqualTo(certificate.getSubjectX500Principal());
        certificate.verify(certificate.getPublicKey());
        assertThat(certificate.getBasicConstraints())
                .as("a CA that signs end-entity certificates only")
                .isZero();
        boolean[] keyUsage = certificate.getKeyUsage();
        assertThat(keyUsage[5]).as("keyCertSign").isTrue();
        assertThat(keyUsage[6]).as("cRLSign").isTrue();
        assertThat(keyUsage[0]).as("digitalSignature").isFalse();
        assertThat(certificate.getCriticalExtensionOIDs()).contains("2.5.29.19", "2.5.29.15");
        assertThat(((ECPublicKey) certificate.getPublicKey())
                        .getParams()
                        .getCurve()
                        .getField()
                        .getFieldSize())
                .isEqualTo(256);
        assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(certificate.getNotAfter().toInstant())
                .isBetween(
                        Instant.now().plus(Duration.ofDays(3650)), Instant.now().plus(Duration.ofDays(3660)));
        assertThat(ca.federationId()).isEqualTo("fed-1");
    }

    @Test
    void storesTheKeyReadableByTheOwnerOnly() throws Exception {
        assertThat(Files.getPosixFilePermissions(caDir.resolve("ca.key"))).isEqualTo(Set.of(OWNER_READ, OWNER_WRITE));
        assertThat(Files.getPosixFilePermissions(caDir)).isEqualTo(Set.of(OWNER_READ, OWNER_WRITE, OWNER_EXECUTE));
        assertThat(Pem.readCertificate(caDir.resolve("ca.crt"))).isEqualTo(ca.certificate());
        assertThat(ca.toString()).doesNotContain("PRIVATE").contains("fed-1");
    }

    @Test
    void neverOverwritesACa() {
        assertThatThrownBy(() -> CertificateAuthority.create("fed-2", caDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never overwrites");
        assertThat(CertificateAuthority.load(caDir).federationId()).isEqualTo("fed-1");
    }

    @Test
    void loadsWhatItCreated() throws Exception {
        CertificateAuthority loaded = CertificateAuthority.load(caDir);

        assertThat(loaded.certificate()).isEqualTo(ca.certificate());
        assertThat(loaded.federationId()).isEqualTo("fed-1");
        // the loaded key is the CA's: what it signs verifies with the original certificate
        X509Certificate node =
                loaded.signNodeCsr(Csr.create(KeyPairs.generate(), "h"), "n1", Role.WORKER, Duration.ofDays(1));
        node.verify(ca.certificate().getPublicKey());
    }

    @Test
    void refusesToLoadAKeyThatIsNotTheCas() {
        Pem.writePrivateKey(caDir.resolve("ca.key"), KeyPairs.generate().getPrivate());

        assertThatThrownBy(() -> CertificateAuthority.load(caDir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ca.key is not the private key of");
    }

    @Test
    void issuesTheManagersServerCertificateForItsAddressesAndLoopback() throws Exception {
        KeyPair keys = KeyPairs.generate();

        X509Certificate certificate = ca.issueServerCertificate(
                keys, List.of("Manager.Example.org", "10.1.2.3", "localhost"), Duration.ofDays(30));

        certificate.verify(ca.certificate().getPublicKey());
        assertThat(certificate.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(certificate.getSubjectAlternativeNames())
                .containsExactly(
                        List.of(DNS, "manager.example.org"),
                        List.of(IP, "10.1.2.3"),
                        List.of(DNS, "localhost"),
                        List.of(IP, "127.0.0.1"));
        assertThat(certificate.getExtendedKeyUsage()).containsExactlyInAnyOrder(SERVER_AUTH, CLIENT_AUTH);
        assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getIssuerX500Principal())
                .isEqualTo(ca.certificate().getSubjectX500Principal());
        assertThat(certificate.getNotAfter().toInstant()).isBefore(Instant.now().plus(Duration.ofDays(31)));
        assertThat(PeerIdentity.of(certificate).role()).isEqualTo("manager");
    }

    @Test
    void refusesAHostWithAPort() {
        assertThatThrownBy(() -> ca.issueServerCertificate(
                        KeyPairs.generate(), List.of("manager.example.org:2377"), Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without a port");
    }

    @Test
    void noCertificateOutlivesTheCa() {
        X509Certificate certificate =
                ca.issueServerCertificate(KeyPairs.generate(), List.of(), Duration.ofDays(365 * 100));

        assertThat(certificate.getNotAfter()).isEqualTo(ca.certificate().getNotAfter());
    }

    @Test
    void signsANodeCertificateWithTheIdentityItChoosesNotTheOneRequested() throws Exception {
        KeyPair keys = KeyPairs.generate();
        byte[] request = new JcaPKCS10CertificationRequestBuilder(
                        new X500Name("CN=evil, OU=manager, O=other"), keys.getPublic())
                .build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(keys.getPrivate()))
                .getEncoded();

        X509Certificate certificate =
                ca.signNodeCsr(request, "k3j2h1g0f9e8d7c6b5a4z3y2x", Role.WORKER, Duration.ofDays(365));

        assertThat(certificate.getSubjectX500Principal().getName())
                .isEqualTo("CN=k3j2h1g0f9e8d7c6b5a4z3y2x,OU=worker,O=fed-1");
        assertThat(PeerIdentity.of(certificate))
                .isEqualTo(new PeerIdentity("k3j2h1g0f9e8d7c6b5a4z3y2x", "worker", "fed-1"));
        assertThat(certificate.getPublicKey()).isEqualTo(keys.getPublic());
        assertThat(certificate.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
        assertThat(certificate.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
        assertThat(certificate.getSubjectAlternativeNames()).isNull();
        assertThat(certificate.getNotAfter().toInstant())
                .isBetween(
                        Instant.now().plus(Duration.ofDays(364)), Instant.now().plus(Duration.ofDays(366)));
        assertChainsToCa(certificate);
    }

    @Test
    void givesEveryCertificateARandom128BitSerial() {
        Set<BigInteger> serials = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            BigInteger serial = ca.signNodeCsr(
                            Csr.create(KeyPairs.generate(), "h"), "n" + i, Role.WORKER, Duration.ofDays(1))
                    .getSerialNumber();
            assertThat(serial.signum()).isPositive();
            assertThat(serial.bitLength()).isLessThanOrEqualTo(128);
            serials.add(serial);
        }
        assertThat(serials).hasSize(20);
        // 20 random 128-bit numbers all below 2^120 would happen once in 2^160 runs
        assertThat(serials).anySatisfy(serial -> assertThat(serial.bitLength()).isGreaterThan(120));
    }

    @Test
    void refusesARequestWhoseSignatureDoesNotVerify() throws Exception {
        KeyPair claimed = KeyPairs.generate();
        KeyPair signer = KeyPairs.generate();
        // asks for a certificate on someone else's public key, which it cannot sign for
        byte[] request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=h"), claimed.getPublic())
                .build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE_ALGORITHM).build(signer.getPrivate()))
                .getEncoded();

        assertThatThrownBy(() -> ca.signNodeCsr(request, "n1", Role.WORKER, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("signature does not verify");
    }

    @Test
    void refusesATamperedRequest() {
        byte[] request = Csr.create(KeyPairs.generate(), "hospital-a");
        // the subject's common name sits in the signed part: change one letter of it
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("hospital-a");
        request[at] = (byte) 'H';

        assertThatThrownBy(() -> ca.signNodeCsr(request, "n1", Role.WORKER, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("signature does not verify");
    }

    @Test
    void refusesWhatIsNotARequest() {
        assertThatThrownBy(
                        () -> ca.signNodeCsr(new byte[] {0x30, 0x03, 1, 2, 3}, "n1", Role.WORKER, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a DER-encoded PKCS#10 certificate request");
        assertThatThrownBy(() -> ca.signNodeCsr(new byte[0], "n1", Role.WORKER, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesAWeakKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        KeyPair weak = generator.generateKeyPair();
        byte[] request = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=h"), weak.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(weak.getPrivate()))
                .getEncoded();

        assertThatThrownBy(() -> ca.signNodeCsr(request, "n1", Role.WORKER, Duration.ofDays(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too weak");
    }

    private void assertChainsToCa(X509Certificate certificate) throws Exception {
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(ca.certificate(), null)));
        parameters.setRevocationEnabled(false);
        CertPathValidator.getInstance("PKIX")
                .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(certificate)), parameters);
    }
}
