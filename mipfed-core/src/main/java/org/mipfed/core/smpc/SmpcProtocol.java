package org.mipfed.core.smpc;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;

/**
 * What nodes and manager agree on in a secure-aggregation session besides the primitives: the labels
 * keys are signed under, the id each round's masks are derived from, whose share sits at which x, and
 * the layout of a sealed pair of shares.
 */
public final class SmpcProtocol {
    /** The most nodes one session masks over (each node masks with every other). */
    public static final int MAX_PARTICIPANTS = 64;

    private SmpcProtocol() {}

    /** The label a node signs its seal key under. */
    public static String sealLabel(String sessionId) {
        return sessionId + "/seal";
    }

    /** The label a node signs its mask key under. */
    public static String maskLabel(String sessionId) {
        return sessionId + "/mask";
    }

    /** The id a round's masks (pairwise and self) are derived from. */
    public static String roundId(String sessionId, int round) {
        return sessionId + "/round/" + round;
    }

    /** The Shamir x of {@code nodeId}'s shares: its position among the sorted participants, from 1. */
    public static int shareX(List<String> participants, String nodeId) {
        int i = participants.indexOf(nodeId);
        if (i < 0) {
            throw new IllegalArgumentException("node " + nodeId + " is not a participant of the session");
        }
        return i + 1;
    }

    /** The two shares a node holds of one peer's secrets: of its mask key and of its self-mask seed. */
    public record SharePair(ShamirSecretSharing.Share key, ShamirSecretSharing.Share seed) {}

    /** What is sealed from {@code from} to {@code to}: both ids (so a relayed share cannot be redirected) and both shares. */
    public static byte[] plaintext(String from, String to, SharePair shares) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(from);
            out.writeUTF(to);
            byte[] key = shares.key().toBytes();
            byte[] seed = shares.seed().toBytes();
            out.writeShort(key.length);
            out.write(key);
            out.writeShort(seed.length);
            out.write(seed);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** The shares in {@code plain}, checking that they were sealed by {@code from} for {@code to}. */
    public static SharePair open(byte[] plain, String from, String to) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(plain))) {
            String sealedFrom = in.readUTF();
            String sealedTo = in.readUTF();
            if (!sealedFrom.equals(from) || !sealedTo.equals(to)) {
                throw new IllegalArgumentException("a share relayed as from " + from + " to " + to + " was sealed from "
                        + sealedFrom + " to " + sealedTo);
            }
            byte[] key = in.readNBytes(in.readUnsignedShort());
            byte[] seed = in.readNBytes(in.readUnsignedShort());
            return new SharePair(ShamirSecretSharing.Share.fromBytes(key), ShamirSecretSharing.Share.fromBytes(seed));
        } catch (IOException e) {
            throw new IllegalArgumentException("a sealed share from " + from + " is malformed: " + e.getMessage(), e);
        }
    }
}
