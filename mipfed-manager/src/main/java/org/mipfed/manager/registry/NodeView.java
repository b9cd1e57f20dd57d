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
 * @param datasetConflicts data model id to the datasets the node reported that another node owns (to that
 *     owner, {@code alias (id)}): the manager refused these claims and does not use them
 * @param privacy the node's privacy policy as it announced it ({@code min_rows}, …), or null before its first hello
 * @param lastSeen when the node was last heard from, kept after its session ends (null if never since the manager
 *     started)
 * @param downSince when its last session ended, while it is down (null while it is up, or if it has not been up since
 *     the manager started)
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
        Map<String, Map<String, String>> datasetConflicts,
        Map<String, Object> privacy,
        Instant lastSeen,
        Instant downSince,
        Instant joinedAt,
        Instant certificateExpires) {}
