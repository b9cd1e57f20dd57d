package org.mipfed.manager.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A node as shown to administrators: {@code mipfed node ls} and {@code GET /admin/nodes}.
 *
 * @param status {@code ready} while its session is up, {@code down} otherwise
 * @param availability {@code pending} until started, {@code active} after
 * @param datasets data model id to the dataset codes the node reported
 * @param certificateExpires when the node's certificate expires; past it, the node must join again
 */
public record NodeView(
        String id,
        String hostname,
        String alias,
        String role,
        String status,
        String availability,
        Map<String, String> labels,
        Map<String, List<String>> datasets,
        Instant lastSeen,
        Instant joinedAt,
        Instant certificateExpires) {
}
