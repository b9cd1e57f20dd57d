package org.mipfed.core.smpc;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * What two nodes share in one session: X25519 of one's ephemeral private key and the other's public
 * key, expanded by HKDF-SHA256 bound to the session and both node ids into a mask key (AES-256-CTR
 * stream: the pairwise mask) and a share key (AES-256-GCM: the encrypted Shamir shares). Either node
 * derives the same secret; so does anyone who reconstructs one of the two private keys.
 */
public final class PairwiseSecret {
    private static final int GCM_TAG_BITS = 128;
    private static final int GCM_NONCE_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String lowId;
    private final String highId;
    private final byte[] maskKey;
    private final byte[] shareKey;

    private PairwiseSecret(String lowId, String highId, byte[] maskKey, byte[] shareKey) {
        this.lowId = lowId;
        this.highId = highId;
        this.maskKey = maskKey;
        this.shareKey = shareKey;
    }

    /** The secret between node {@code ownId} (holding {@code ownPrivate}) and node {@code peerId}. */
    public static PairwiseSecret derive(
            String requestId, String ownId, PrivateKey ownPrivate, String peerId, PublicKey peerPublic) {
        requireNonNull(requestId, "requestId is null");
        if (ownId.equals(peerId)) {
            throw new IllegalArgumentException("a node shares no mask with itself: " + ownId);
        }
        byte[] shared;
        try {
            KeyAgreement agreement = KeyAgreement.getInstance(SignedSmpcKey.KEY_AGREEMENT);
            agreement.init(ownPrivate);
            agreement.doPhase(peerPublic, true);
            shared = agreement.generateSecret();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(
                    "X25519 between nodes " + ownId + " and " + peerId + " failed: " + e.getMessage(), e);
        }
        boolean ownLow = ownId.compareTo(peerId) < 0;
        String low = ownLow ? ownId : peerId;
        String high = ownLow ? peerId : ownId;
        byte[] info = ("mipfed-smpc-v1\0" + requestId + "\0" + low + "\0" + high).getBytes(StandardCharsets.UTF_8);
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(shared, null, info));
        byte[] keys = new byte[64];
        hkdf.generateBytes(keys, 0, keys.length);
        Arrays.fill(shared, (byte) 0);
        return new PairwiseSecret(low, high, Arrays.copyOfRange(keys, 0, 32), Arrays.copyOfRange(keys, 32, 64));
    }

    /**
     * The mask that node {@code ownId} adds to a vector of {@code length} elements: +m for the node
     * whose id sorts first, −m for the other, so the pair's masks cancel modulo 2<sup>128</sup>.
     */
    public BigInteger[] maskFor(String ownId, int length) {
        BigInteger[] m = stream(maskKey, length);
        if (ownId.equals(highId)) {
            for (int i = 0; i < length; i++) {
                m[i] = m[i].negate().mod(FixedPoint.MODULUS);
            }
        } else if (!ownId.equals(lowId)) {
            throw new IllegalArgumentException("node " + ownId + " is not one of " + lowId + " and " + highId);
        }
        return m;
    }

    /** {@code length} elements of Z<sub>2<sup>128</sup></sub> from the AES-256-CTR keystream of {@code key}: a mask. */
    static BigInteger[] stream(byte[] key, int length) {
        try {
            Cipher ctr = Cipher.getInstance("AES/CTR/NoPadding");
            ctr.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(new byte[16]));
            byte[] bytes = ctr.doFinal(new byte[16 * length]);
            BigInteger[] out = new BigInteger[length];
            for (int i = 0; i < length; i++) {
                out[i] = FixedPoint.fromBytes(bytes, 16 * i);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR is unavailable", e);
        }
    }

    /** Encrypts (AES-GCM, fresh nonce prepended) a Shamir share for the other node of the pair. */
    public byte[] seal(byte[] plain) {
        try {
            byte[] nonce = new byte[GCM_NONCE_BYTES];
            RANDOM.nextBytes(nonce);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(
                    Cipher.ENCRYPT_MODE, new SecretKeySpec(shareKey, "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
            gcm.updateAAD((lowId + "\0" + highId).getBytes(StandardCharsets.UTF_8));
            byte[] sealed = gcm.doFinal(plain);
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /** Decrypts what {@link #seal} made; throws when it was altered or sealed under another key. */
    public byte[] open(byte[] sealed) throws GeneralSecurityException {
        if (sealed.length < GCM_NONCE_BYTES + GCM_TAG_BITS / 8) {
            throw new GeneralSecurityException(
                    "an encrypted share between " + lowId + " and " + highId + " is too short");
        }
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(
                Cipher.DECRYPT_MODE,
                new SecretKeySpec(shareKey, "AES"),
                new GCMParameterSpec(GCM_TAG_BITS, sealed, 0, GCM_NONCE_BYTES));
        gcm.updateAAD((lowId + "\0" + highId).getBytes(StandardCharsets.UTF_8));
        return gcm.doFinal(sealed, GCM_NONCE_BYTES, sealed.length - GCM_NONCE_BYTES);
    }
}
