package org.mipfed.core.security;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The digest that names a federation's certificate authority in its join tokens: the lowercase hex
 * SHA-256 of the CA certificate's DER encoding (what {@code openssl x509 -fingerprint -sha256} prints,
 * without the colons).
 */
public final class CaDigest {
    /** Length of a digest in hex characters. */
    public static final int LENGTH = 64;

    private CaDigest() {}

    /** The lowercase hex SHA-256 of {@code certificate}'s DER encoding. */
    public static String of(X509Certificate certificate) {
        requireNonNull(certificate, "certificate is null");
        try {
            byte[] der = certificate.getEncoded();
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException(
                    "cannot encode certificate " + certificate.getSubjectX500Principal() + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            // every Java platform must provide SHA-256
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code text} has the shape of a digest: 64 lowercase hex characters. */
    public static boolean isDigest(String text) {
        if (text == null || text.length() != LENGTH) {
            return false;
        }
        for (int i = 0; i < LENGTH; i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
