package org.mipfed.manager.state;

import java.util.List;

/**
 * The manager's durable state, written to {@code D/state.json} after every change.
 *
 * @param workerSecret the secret part of the current worker join token
 * @param managerSecret the secret part of the current manager join token
 * @param nodes the joined nodes that have not been removed
 * @param removedSerials certificate serials of removed nodes, refused on every connection
 * @param datasetOwners which node owns each dataset announced so far (absent in states written before ownership)
 */
public record FederationState(
        String workerSecret,
        String managerSecret,
        List<NodeRecord> nodes,
        List<String> removedSerials,
        List<DatasetOwner> datasetOwners) {
    public FederationState {
        nodes = List.copyOf(nodes);
        removedSerials = List.copyOf(removedSerials);
        datasetOwners = datasetOwners == null ? List.of() : List.copyOf(datasetOwners);
    }

    /** The same state with other nodes. */
    public FederationState withNodes(List<NodeRecord> newNodes) {
        return new FederationState(workerSecret, managerSecret, newNodes, removedSerials, datasetOwners);
    }

    /** The same state with other dataset owners. */
    public FederationState withDatasetOwners(List<DatasetOwner> owners) {
        return new FederationState(workerSecret, managerSecret, nodes, removedSerials, owners);
    }
}
