package org.mipfed.core.security;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and private keys as PEM files, and atomic file writes. Private keys are written as
 * unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}) readable by the owner only (mode 0600 on POSIX file
 * systems); the file never exists with wider permissions, not even for a moment.
 *
 * <p>Every method throws {@link UncheckedIOException} naming the file when it cannot be read or written,
 * and {@link IllegalArgumentException} naming the file when its content is not what was expected.
 */
public final class Pem {
    private static final String SECRET_MODE = "rw-------";
    private static final String PUBLIC_MODE = "rw-r--r--";

    private Pem() {}

    /** Reads the first certificate of a PEM file. */
    public static X509Certificate readCertificate(Path file) {
        Object object = readFirst(file);
        if (!(object instanceof X509CertificateHolder holder)) {
            throw new IllegalArgumentException(file + " does not hold a PEM certificate (BEGIN CERTIFICATE)");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds a certificate Java cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads every certificate of a PEM file, in order (a trust bundle); at least one. */
    public static List<X509Certificate> readCertificates(Path file) {
        requireNonNull(file, "file is null");
        List<X509Certificate> out = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                if (!(object instanceof X509CertificateHolder holder)) {
                    throw new IllegalArgumentException(
                            file.toAbsolutePath() + " holds something other than certificates");
                }
                out.add(new JcaX509CertificateConverter().getCertificate(holder));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file.toAbsolutePath() + ": " + e, e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " holds a certificate Java cannot read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(file.toAbsolutePath() + " holds no PEM certificate");
        }
        return List.copyOf(out);
    }

    /** Writes {@code certificates} into one PEM file, atomically (a trust bundle). */
    public static void writeCertificates(Path file, List<X509Certificate> certificates) {
        requireNonNull(certificates, "certificates is null");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (X509Certificate certificate : certificates) {
            bytes.writeBytes(encode(certificate));
        }
        writeAtomically(file, bytes.toByteArray(), false);
    }

    /** Reads an unencrypted private key: PKCS#8 ({@code BEGIN PRIVATE KEY}) or OpenSSL's traditional EC/RSA form. */
    public static PrivateKey readPrivateKey(Path file) {
        Object object = readFirst(file);
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " holds a private key Java cannot read: " + e.getMessage(), e);
        }
        if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
            throw new IllegalArgumentException(
                    file + " holds an encrypted private key; mipfed needs it unencrypted (and protected by mode 0600)");
        }
        throw new IllegalArgumentException(file + " does not hold a PEM private key (BEGIN PRIVATE KEY)");
    }

    /** Decodes a DER-encoded certificate, as carried in the wire messages. */
    public static X509Certificate certificate(byte[] der) {
        requireNonNull(der, "der is null");
        try {
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException("not a DER-encoded X.509 certificate: " + e.getMessage(), e);
        }
    }

    /** Writes {@code certificate} as PEM, atomically, readable by all (certificates are public). */
    public static void writeCertificate(Path file, X509Certificate certificate) {
        requireNonNull(certificate, "certificate is null");
        writeAtomically(file, encode(certificate), false);
    }

    /** Writes {@code key} as unencrypted PKCS#8 PEM, atomically, readable by the owner only. */
    public static void writePrivateKey(Path file, PrivateKey key) {
        requireNonNull(key, "key is null");
        try {
            // JcaPEMWriter alone would write an EC key in OpenSSL's traditional form; PKCS#8 is the portable one
            writeAtomically(file, encode(new JcaPKCS8Generator(key, null)), true);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot encode the private key for " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code file} with {@code content} so that a reader (or a crash) sees either the old file or the
     * new one, never a mix: the bytes go to a temporary file in the same directory, are flushed to disk, and the
     * temporary file is renamed over the target. A {@code secret} file is created with mode 0600 (on POSIX file
     * systems), so it is never readable by others; other files get 0644, narrowed by the umask.
     * The directory must exist.
     */
    public static void writeAtomically(Path file, byte[] content, boolean secret) {
        requireNonNull(file, "file is null");
        requireNonNull(content, "content is null");
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", permissions(dir, secret));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target + ": " + e, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static Object readFirst(Path file) {
        requireNonNull(file, "file is null");
        Object object;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            object = parser.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file.toAbsolutePath() + ": " + e, e);
        }
        if (object == null) {
            throw new IllegalArgumentException(file.toAbsolutePath() + " holds no PEM object");
        }
        return object;
    }

    private static byte[] encode(Object object) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot encode " + object.getClass().getSimpleName() + " as PEM: " + e.getMessage(), e);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static FileAttribute<?>[] permissions(Path dir, boolean secret) throws IOException {
        if (!Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
            // Windows: the file inherits the directory's ACL; keep the data directory private there
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? SECRET_MODE : PUBLIC_MODE))
        };
    }

    private static void syncDirectory(Path dir) {
        // makes the rename itself durable; not every platform can open a directory, and nothing is lost if not
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the file's own content is already on disk
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // the original failure matters more; a stray ".tmp" file is harmless
        }
    }
}
