package org.mipfed.core.smpc;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The sum of masked vectors modulo 2<sup>128</sup>. A node calls {@link #mask} on its own numbers; the
 * manager {@link #add}s every node's masked vector, removes the masks of any node that dropped after
 * the key round ({@link #removeMasksOf}) and {@link #decode}s the sum of the numbers.
 */
public final class MaskedSum {
    private final String requestId;
    private final BigInteger[] sum;
    private final Set<String> added = new HashSet<>();

    public MaskedSum(String requestId, int length) {
        this.requestId = requireNonNull(requestId, "requestId is null");
        this.sum = new BigInteger[length];
        Arrays.fill(sum, BigInteger.ZERO);
    }

    /**
     * Node {@code ownId}'s numbers, encoded and masked with one pairwise mask per peer of the session.
     * {@code requestId} must be new for every masked vector (e.g. the session id and the round of an
     * iterative fit): two vectors masked under the same id carry the same masks, so their difference
     * is the difference of the node's numbers. A node must refuse an id it has already masked under.
     *
     * @param peers every other node of the session (id to verified X25519 public key)
     */
    public static BigInteger[] mask(
            String requestId, String ownId, PrivateKey ownPrivate, Map<String, PublicKey> peers, double[] values) {
        BigInteger[] out = FixedPoint.encode(values);
        for (Map.Entry<String, PublicKey> peer : peers.entrySet()) {
            if (peer.getKey().equals(ownId)) {
                continue;
            }
            BigInteger[] m = PairwiseSecret.derive(requestId, ownId, ownPrivate, peer.getKey(), peer.getValue())
                    .maskFor(ownId, values.length);
            for (int i = 0; i < out.length; i++) {
                out[i] = out[i].add(m[i]).mod(FixedPoint.MODULUS);
            }
        }
        return out;
    }

    /**
     * {@link #mask(String, String, PrivateKey, Map, double[])} plus the node's self-mask from
     * {@code selfSeed} (double masking: see {@link SelfMask}).
     */
    public static BigInteger[] mask(
            String requestId,
            String ownId,
            PrivateKey ownPrivate,
            Map<String, PublicKey> peers,
            byte[] selfSeed,
            double[] values) {
        BigInteger[] out = mask(requestId, ownId, ownPrivate, peers, values);
        BigInteger[] self = SelfMask.of(selfSeed, requestId, values.length);
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i].add(self[i]).mod(FixedPoint.MODULUS);
        }
        return out;
    }

    /** Removes the self-mask of node {@code nodeId} (whose masked vector was added), given its seed. */
    public void removeSelfMask(String nodeId, byte[] seed) {
        if (!added.contains(nodeId)) {
            throw new IllegalArgumentException(
                    "node " + nodeId + "'s masked numbers were not added; it has no self-mask in this sum");
        }
        BigInteger[] self = SelfMask.of(seed, requestId, sum.length);
        for (int i = 0; i < sum.length; i++) {
            sum[i] = sum[i].subtract(self[i]).mod(FixedPoint.MODULUS);
        }
    }

    /** Adds node {@code nodeId}'s masked vector. */
    public void add(String nodeId, BigInteger[] masked) {
        if (masked.length != sum.length) {
            throw new IllegalArgumentException(
                    "node " + nodeId + " sent " + masked.length + " masked numbers, not " + sum.length);
        }
        if (!added.add(nodeId)) {
            throw new IllegalArgumentException("node " + nodeId + " sent its masked numbers twice");
        }
        for (int i = 0; i < sum.length; i++) {
            sum[i] = sum[i].add(masked[i]).mod(FixedPoint.MODULUS);
        }
    }

    /**
     * Removes the masks each survivor added for dropped node {@code droppedId}, given the dropped node's
     * ephemeral private key (reconstructed from the survivors' Shamir shares).
     *
     * @param survivors the nodes whose masked vectors were added (id to X25519 public key)
     */
    public void removeMasksOf(String droppedId, PrivateKey droppedPrivate, Map<String, PublicKey> survivors) {
        if (added.contains(droppedId)) {
            throw new IllegalArgumentException("node " + droppedId + "'s masked numbers were added; it did not drop");
        }
        for (Map.Entry<String, PublicKey> s : survivors.entrySet()) {
            if (!added.contains(s.getKey())) {
                continue;
            }
            // What survivor s added for the pair: the negation of what the dropped node would have added.
            BigInteger[] droppedSide = PairwiseSecret.derive(
                            requestId, droppedId, droppedPrivate, s.getKey(), s.getValue())
                    .maskFor(droppedId, sum.length);
            for (int i = 0; i < sum.length; i++) {
                sum[i] = sum[i].add(droppedSide[i]).mod(FixedPoint.MODULUS);
            }
        }
    }

    public Set<String> added() {
        return Set.copyOf(added);
    }

    /** The sum of the numbers of the nodes added. */
    public double[] decode() {
        return FixedPoint.decode(sum);
    }

    /** A masked vector's wire form: 16 big-endian bytes per element. */
    public static byte[] toBytes(BigInteger[] v) {
        byte[] out = new byte[16 * v.length];
        for (int i = 0; i < v.length; i++) {
            System.arraycopy(FixedPoint.toBytes(v[i]), 0, out, 16 * i, 16);
        }
        return out;
    }

    public static BigInteger[] fromBytes(byte[] b) {
        if (b.length % 16 != 0) {
            throw new IllegalArgumentException("a masked vector is a multiple of 16 bytes, not " + b.length);
        }
        BigInteger[] out = new BigInteger[b.length / 16];
        for (int i = 0; i < out.length; i++) {
            out[i] = FixedPoint.fromBytes(b, 16 * i);
        }
        return out;
    }
}
