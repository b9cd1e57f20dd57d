package org.mipfed.node.privacy;

/**
 * What a node agrees to release, from the node's own configuration only: the manager can read it
 * (it is announced in the hello message) but never change it.
 *
 * @param minRows the fewest rows any released aggregate may be computed over
 */
public record PrivacyPolicy(int minRows) {
    public static final int DEFAULT_MIN_ROWS = 10;
    public static final PrivacyPolicy DEFAULT = new PrivacyPolicy(DEFAULT_MIN_ROWS);

    public PrivacyPolicy {
        if (minRows < 1) {
            throw new IllegalArgumentException("The minimum number of rows must be at least 1, not " + minRows);
        }
    }

    /** The policy as announced to the manager. */
    public org.mipfed.proto.v1.PrivacyPolicy toProto() {
        return org.mipfed.proto.v1.PrivacyPolicy.newBuilder().setMinRows(minRows).build();
    }
}
