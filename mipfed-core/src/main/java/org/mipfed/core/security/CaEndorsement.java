package org.mipfed.core.security;

import static java.util.Objects.requireNonNull;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * How a federation vouches for its next CA while it rotates: the CA its members already trust signs the new CA
 * certificate's DER encoding. A member adds a CA to its trust only with such a signature from a CA it already
 * trusts, so whoever holds only the manager's TLS key, and not the CA key, cannot slip in a CA of their own.
 */
public final class CaEndorsement {
    private CaEndorsement() {}

    /** {@code endorserKey}'s signature over {@code newCa}. */
    public static byte[] sign(PrivateKey endorserKey, X509Certificate newCa) {
        requireNonNull(endorserKey, "endorserKey is null");
        requireNonNull(newCa, "newCa is null");
        try {
            Signature signer = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
            signer.initSign(endorserKey);
            signer.update(newCa.getEncoded());
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot endorse the new CA: " + e.getMessage(), e);
        }
    }

    /**
     * Whether {@code signature} is {@code endorser}'s signature over {@code newCa}, and {@code newCa} is a current
     * CA certificate of the same federation (the same subject O).
     */
    public static boolean verify(X509Certificate endorser, X509Certificate newCa, byte[] signature) {
        requireNonNull(endorser, "endorser is null");
        requireNonNull(newCa, "newCa is null");
        if (signature == null || signature.length == 0 || newCa.getBasicConstraints() < 0) {
            return false;
        }
        try {
            newCa.checkValidity();
            newCa.verify(newCa.getPublicKey());
            Signature verifier = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
            verifier.initVerify(endorser.getPublicKey());
            verifier.update(newCa.getEncoded());
            return verifier.verify(signature) && organization(endorser).equals(organization(newCa));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static String organization(X509Certificate ca) {
        RDN[] o =
                X500Name.getInstance(ca.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.O);
        if (o.length != 1) {
            throw new IllegalArgumentException("no single O in " + ca.getSubjectX500Principal());
        }
        return IETFUtils.valueToString(o[0].getFirst().getValue());
    }
}
