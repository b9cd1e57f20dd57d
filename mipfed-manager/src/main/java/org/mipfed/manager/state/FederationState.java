package org.mipfed.manager.state;

import java.util.List;

/**
 * The manager's durable state, written to {@code D/state.json} after every change.
 *
 * @param workerSecret the secret part of the current worker join token
 * @param managerSecret the secret part of the current manager join token
 * @param nodes the joined nodes that have not been removed
 * @param removedSerials certificate serials of removed nodes, refused on every connection
 */
public record FederationState(
        String workerSecret,
        String managerSecret,
        List<NodeRecord> nodes,
        List<String> removedSerials) {
    public FederationState {
        nodes = List.copyOf(nodes);
        removedSerials = List.copyOf(removedSerials);
    }
}
