package org.mipfed.core.smpc;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.PeerIdentity;

/**
 * A node's ephemeral X25519 public key for one secure-aggregation session, signed with the private key
 * of the node's federation certificate. The signature covers the session (request id), the node id and
 * the key, so the manager can relay keys but neither swap them nor replay one from another session.
 *
 * @param nodeId the node's id, as its certificate names it
 * @param certificate the node's certificate (signed by the federation CA)
 * @param publicKey the X.509 (SubjectPublicKeyInfo) encoding of the ephemeral X25519 key
 * @param signature over {@link #signedBytes}
 */
public record SignedSmpcKey(String nodeId, X509Certificate certificate, byte[] publicKey, byte[] signature) {
    public static final String KEY_AGREEMENT = "X25519";

    public SignedSmpcKey {
        requireNonNull(nodeId, "nodeId is null");
        requireNonNull(certificate, "certificate is null");
        publicKey = publicKey.clone();
        signature = signature.clone();
    }

    /** A fresh ephemeral key pair; never reuse one across sessions. */
    public static KeyPair newEphemeralKeyPair() {
        try {
            return KeyPairGenerator.getInstance(KEY_AGREEMENT).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this Java runtime has no X25519 key agreement", e);
        }
    }

    /** Signs {@code ephemeral}'s public key for session {@code requestId} with the node's certificate key. */
    public static SignedSmpcKey sign(
            String requestId,
            String nodeId,
            KeyPair ephemeral,
            X509Certificate certificate,
            PrivateKey certificateKey) {
        byte[] encoded = ephemeral.getPublic().getEncoded();
        try {
            Signature s = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
            s.initSign(certificateKey);
            s.update(signedBytes(requestId, nodeId, encoded));
            return new SignedSmpcKey(nodeId, certificate, encoded, s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the secure-aggregation key of node " + nodeId, e);
        }
    }

    /**
     * Checks that the certificate was issued by {@code ca}, is valid now and names {@link #nodeId}, and
     * that the signature covers this key for session {@code requestId}; returns the X25519 public key.
     *
     * @throws GeneralSecurityException naming the node and what did not hold
     */
    public PublicKey verify(String requestId, X509Certificate ca) throws GeneralSecurityException {
        try {
            certificate.verify(ca.getPublicKey());
            certificate.checkValidity();
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException(
                    "the secure-aggregation key of node " + nodeId
                            + " comes with a certificate the federation CA did not issue or that is not valid now: "
                            + e.getMessage(),
                    e);
        }
        String named;
        try {
            named = PeerIdentity.of(certificate).nodeId();
        } catch (RuntimeException e) {
            throw new GeneralSecurityException(
                    "the certificate sent with node " + nodeId + "'s key names no node: " + e.getMessage(), e);
        }
        if (!named.equals(nodeId)) {
            throw new GeneralSecurityException("the secure-aggregation key said to be node " + nodeId
                    + "'s comes with node " + named + "'s certificate");
        }
        Signature s = Signature.getInstance(KeyPairs.SIGNATURE_ALGORITHM);
        s.initVerify(certificate.getPublicKey());
        s.update(signedBytes(requestId, nodeId, publicKey));
        if (!s.verify(signature)) {
            throw new GeneralSecurityException("the signature on node " + nodeId
                    + "'s secure-aggregation key for session " + requestId + " does not verify");
        }
        return publicKey(publicKey);
    }

    public static PublicKey publicKey(byte[] encoded) throws GeneralSecurityException {
        return KeyFactory.getInstance(KEY_AGREEMENT).generatePublic(new X509EncodedKeySpec(encoded));
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public byte[] signature() {
        return signature.clone();
    }

    static byte[] signedBytes(String requestId, String nodeId, byte[] key) {
        byte[] label = ("mipfed-smpc-key-v1\0" + requestId + "\0" + nodeId + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[label.length + key.length];
        System.arraycopy(label, 0, out, 0, label.length);
        System.arraycopy(key, 0, out, label.length, key.length);
        return out;
    }
}
