package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the manager remembers of a joined node across restarts.
 *
 * @param availability {@code pending} until an administrator starts the node, then {@code active}
 * @param certificateSerial serial of the certificate issued at join (hex)
 */
public record NodeRecord(
        String id,
        String hostname,
        String role,
        Map<String, String> labels,
        String availability,
        String certificateSerial,
        Instant joinedAt) {
    public static final String PENDING = "pending";
    public static final String ACTIVE = "active";

    public NodeRecord {
        requireNonNull(id, "id is null");
        requireNonNull(role, "role is null");
        labels = new TreeMap<>(labels == null ? Map.of() : labels);
        requireNonNull(availability, "availability is null");
    }

    /** The node's alias (label {@code name}), or null. */
    public String alias() {
        return labels.get("name");
    }

    public boolean active() {
        return ACTIVE.equals(availability);
    }

    public NodeRecord withLabels(Map<String, String> newLabels) {
        return new NodeRecord(id, hostname, role, newLabels, availability, certificateSerial, joinedAt);
    }

    public NodeRecord withAvailability(String newAvailability) {
        return new NodeRecord(id, hostname, role, labels, newAvailability, certificateSerial, joinedAt);
    }
}
