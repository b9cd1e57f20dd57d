package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the manager remembers of a joined node across restarts.
 *
 * @param availability {@code pending} until an administrator starts the node, then {@code active}
 * @param certificateSerial serial of the node's current certificate (hex), issued at join or at its last renewal
 * @param certificateExpires when that certificate expires (null for nodes that joined before this was kept)
 * @param certificateCa digest of the CA that signed it (null likewise)
 */
public record NodeRecord(
        String id,
        String hostname,
        String role,
        Map<String, String> labels,
        String availability,
        String certificateSerial,
        Instant joinedAt,
        Instant certificateExpires,
        String certificateCa) {
    public static final String PENDING = "pending";
    public static final String ACTIVE = "active";

    public NodeRecord {
        requireNonNull(id, "id is null");
        requireNonNull(role, "role is null");
        labels = new TreeMap<>(labels == null ? Map.of() : labels);
        requireNonNull(availability, "availability is null");
    }

    public NodeRecord(
            String id,
            String hostname,
            String role,
            Map<String, String> labels,
            String availability,
            String certificateSerial,
            Instant joinedAt) {
        this(id, hostname, role, labels, availability, certificateSerial, joinedAt, null, null);
    }

    /** The node's alias (label {@code name}), or null. */
    public String alias() {
        return labels.get("name");
    }

    public boolean active() {
        return ACTIVE.equals(availability);
    }

    public NodeRecord withLabels(Map<String, String> newLabels) {
        return new NodeRecord(
                id,
                hostname,
                role,
                newLabels,
                availability,
                certificateSerial,
                joinedAt,
                certificateExpires,
                certificateCa);
    }

    public NodeRecord withAvailability(String newAvailability) {
        return new NodeRecord(
                id,
                hostname,
                role,
                labels,
                newAvailability,
                certificateSerial,
                joinedAt,
                certificateExpires,
                certificateCa);
    }

    /** The record after the node received a new certificate (renewal, or a move to the federation's new CA). */
    public NodeRecord withCertificate(String serial, Instant expires, String caDigest) {
        return new NodeRecord(id, hostname, role, labels, availability, serial, joinedAt, expires, caDigest);
    }
}
