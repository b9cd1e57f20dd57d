package org.mipfed.core.security;

import static java.nio.file.attribute.PosixFilePermission.GROUP_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE;
import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static java.nio.file.attribute.PosixFilePermission.OWNER_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.core.security.TestCaDigest.resource;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPem {
    @TempDir
    Path dir;

    @Test
    void certificateRoundTrips() throws Exception {
        X509Certificate certificate = SelfSignedCertificates.of(KeyPairs.generate(), "CN=mipfed CA, O=fed", true);
        Path file = dir.resolve("ca.crt");

        Pem.writeCertificate(file, certificate);

        assertThat(Files.readString(file)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Pem.readCertificate(file)).isEqualTo(certificate);
        assertThat(Files.getPosixFilePermissions(file))
                .contains(OWNER_READ, OWNER_WRITE)
                .doesNotContain(GROUP_WRITE, OTHERS_WRITE);
    }

    @Test
    void privateKeyIsWrittenAsPkcs8ReadableByTheOwnerOnly() throws Exception {
        KeyPair keys = KeyPairs.generate();
        Path file = dir.resolve("node.key");

        Pem.writePrivateKey(file, keys.getPrivate());

        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(OWNER_READ, OWNER_WRITE));
        PrivateKey read = Pem.readPrivateKey(file);
        assertThat(read.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(signsFor(read, keys.getPublic())).isTrue();
    }

    @Test
    void secretReplacingAnOpenFileNarrowsItsPermissions() throws Exception {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        Pem.writeAtomically(file, "new".getBytes(StandardCharsets.UTF_8), true);

        assertThat(Files.readString(file)).isEqualTo("new");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Set.of(OWNER_READ, OWNER_WRITE));
    }

    @Test
    void atomicWriteReplacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("federation.json");
        Pem.writeAtomically(file, "one".getBytes(StandardCharsets.UTF_8), false);
        Pem.writeAtomically(file, "two".getBytes(StandardCharsets.UTF_8), false);

        assertThat(Files.readString(file)).isEqualTo("two");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void atomicWriteIntoAMissingDirectoryNamesTheFile() {
        Path file = dir.resolve("missing").resolve("x.json");

        assertThatThrownBy(() -> Pem.writeAtomically(file, new byte[] {1}, false))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void readsKeysMadeByOpenssl() throws Exception {
        X509Certificate certificate = Pem.readCertificate(resource("openssl-ca.crt"));
        PrivateKey pkcs8 = Pem.readPrivateKey(resource("openssl-pkcs8.key"));
        PrivateKey traditional = Pem.readPrivateKey(resource("openssl-ec.key"));

        assertThat(signsFor(pkcs8, certificate.getPublicKey())).isTrue();
        assertThat(signsFor(traditional, certificate.getPublicKey())).isTrue();
    }

    @Test
    void explainsWhatIsWrongWithAFile() throws Exception {
        Path missing = dir.resolve("nope.key");
        assertThatThrownBy(() -> Pem.readPrivateKey(missing))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(missing.toString());

        Path certificate = resource("openssl-ca.crt");
        assertThatThrownBy(() -> Pem.readPrivateKey(certificate))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(certificate.toString())
                .hasMessageContaining("does not hold a PEM private key");

        Path key = resource("openssl-pkcs8.key");
        assertThatThrownBy(() -> Pem.readCertificate(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not hold a PEM certificate");

        Path empty = Files.writeString(dir.resolve("empty.crt"), "");
        assertThatThrownBy(() -> Pem.readCertificate(empty))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds no PEM object");
    }

    @Test
    void decodesDerCertificates() throws Exception {
        X509Certificate certificate = SelfSignedCertificates.of(KeyPairs.generate(), "CN=x, O=fed", false);

        assertThat(Pem.certificate(certificate.getEncoded())).isEqualTo(certificate);
        assertThatThrownBy(() -> Pem.certificate(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
    }

    private static boolean signsFor(PrivateKey key, PublicKey publicKey) throws Exception {
        byte[] data = "mipfed".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
        signer.initSign(key);
        signer.update(data);
        Signature verifier = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
        verifier.initVerify(publicKey);
        verifier.update(data);
        return verifier.verify(signer.sign());
    }
}
