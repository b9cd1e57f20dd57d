package org.mipfed.manager.ca;

import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;

/** Checks a node's PKCS#10 certificate request before the CA signs anything for it. */
final class CertificateRequests {
    private static final int MIN_EC_BITS = 256;
    private static final int MIN_RSA_BITS = 2048;

    private CertificateRequests() {}

    /**
     * The public key of a request whose signature verifies with that same key, which proves the requester
     * holds the private key.
     */
    static PublicKey verifiedPublicKey(byte[] der) {
        PKCS10CertificationRequest request;
        try {
            request = new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a DER-encoded PKCS#10 certificate request", e);
        }
        PublicKey key;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(request.getSubjectPublicKeyInfo());
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "the certificate request's public key cannot be read: " + e.getMessage(), e);
        }
        boolean signed;
        try {
            signed = request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
        } catch (OperatorCreationException | PKCSException e) {
            throw new IllegalArgumentException(
                    "the certificate request's signature cannot be checked: " + e.getMessage(), e);
        }
        if (!signed) {
            throw new IllegalArgumentException(
                    "the certificate request's signature does not verify with its own public key");
        }
        checkStrength(key);
        return key;
    }

    private static void checkStrength(PublicKey key) {
        if (key instanceof ECPublicKey ec
                && ec.getParams().getCurve().getField().getFieldSize() >= MIN_EC_BITS) {
            return;
        }
        if (key instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() >= MIN_RSA_BITS) {
            return;
        }
        throw new IllegalArgumentException("the certificate request's key is too weak or of an unknown type ("
                + key.getAlgorithm() + "); mipfed nodes use EC P-256");
    }
}
