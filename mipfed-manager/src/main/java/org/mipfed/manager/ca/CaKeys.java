package org.mipfed.manager.ca;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import org.mipfed.core.security.Pem;

/**
 * The federation's CA as the managers replicate it: the CA certificate and private key, and during a rotation the
 * next CA's certificate and key with the current CA's endorsement of it. Any manager holding it can sign node and
 * manager certificates. Certificates are DER and keys PKCS#8 DER, each in base64; the values are secret (the keys),
 * so this never appears in a log line ({@link #toString} names only the certificates).
 *
 * @param certificate the current CA certificate
 * @param key the current CA's private key
 * @param nextCertificate the next CA's certificate during a rotation, or null
 * @param nextKey the next CA's private key during a rotation, or null
 * @param endorsement the current CA's signature over the next CA (base64), or null
 */
public record CaKeys(String certificate, String key, String nextCertificate, String nextKey, String endorsement) {
    public CaKeys {
        requireNonNull(certificate, "certificate is null");
        requireNonNull(key, "key is null");
        if ((nextCertificate == null) != (nextKey == null) || (nextCertificate == null) != (endorsement == null)) {
            throw new IllegalArgumentException(
                    "a CA rotation in progress needs the next CA's certificate, its key and its endorsement together");
        }
    }

    /** Whether {@code other} names the same CAs (certificates and endorsement; a key's encoding may differ). */
    public boolean sameCas(CaKeys other) {
        return other != null
                && certificate.equals(other.certificate)
                && Objects.equals(nextCertificate, other.nextCertificate)
                && Objects.equals(endorsement, other.endorsement);
    }

    public boolean rotating() {
        return nextCertificate != null;
    }

    static String encode(X509Certificate certificate) {
        try {
            return Base64.getEncoder().encodeToString(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a CA certificate", e);
        }
    }

    static String encode(PrivateKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    static String encode(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    static X509Certificate certificateOf(String base64) {
        return Pem.certificate(Base64.getDecoder().decode(base64));
    }

    static PrivateKey keyOf(String base64, X509Certificate certificate) {
        try {
            return KeyFactory.getInstance(certificate.getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the replicated CA key cannot be read: " + e.getMessage(), e);
        }
    }

    static byte[] bytesOf(String base64) {
        return Base64.getDecoder().decode(base64);
    }

    @Override
    public String toString() {
        return "CaKeys[rotating=" + rotating() + "]";
    }
}
