package org.mipfed.manager.state;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The manager's durable state, written to {@code D/state.json} after every change.
 *
 * @param workerSecret the secret part of the current worker join token
 * @param managerSecret the secret part of the current manager join token
 * @param nodes the joined nodes that have not been removed
 * @param removedSerials certificate serials of removed nodes, refused on every connection
 * @param datasetOwners which node owns each dataset announced so far (absent in states written before ownership)
 * @param managers the federation's managers, which nodes hold a session to; empty (as in states written before the
 *     list existed) means the one manager that runs from this state ({@link #managersOr})
 * @param managersVersion grows by one with every change of {@code managers} ({@link #withManagers}), so that a node
 *     can tell an older list (from a manager whose state lags) from a newer one
 */
public record FederationState(
        String workerSecret,
        String managerSecret,
        List<NodeRecord> nodes,
        List<String> removedSerials,
        List<DatasetOwner> datasetOwners,
        List<ManagerRecord> managers,
        long managersVersion) {
    public FederationState {
        nodes = List.copyOf(nodes);
        removedSerials = List.copyOf(removedSerials);
        datasetOwners = datasetOwners == null ? List.of() : List.copyOf(datasetOwners);
        managers = managers == null ? List.of() : List.copyOf(managers);
        if (managersVersion < 0) {
            throw new IllegalArgumentException("managersVersion must not be negative, not " + managersVersion);
        }
    }

    /** Reads {@code state.json}, also as written before the list of managers existed (no list, version 0). */
    @JsonCreator
    static FederationState fromJson(
            @JsonProperty("workerSecret") String workerSecret,
            @JsonProperty("managerSecret") String managerSecret,
            @JsonProperty("nodes") List<NodeRecord> nodes,
            @JsonProperty("removedSerials") List<String> removedSerials,
            @JsonProperty("datasetOwners") List<DatasetOwner> datasetOwners,
            @JsonProperty("managers") List<ManagerRecord> managers,
            @JsonProperty("managersVersion") Long managersVersion) {
        return new FederationState(
                workerSecret,
                managerSecret,
                nodes,
                removedSerials,
                datasetOwners,
                managers,
                managersVersion == null ? 0 : managersVersion);
    }

    /** A state without a list of managers: the one manager that runs from it. */
    public FederationState(
            String workerSecret,
            String managerSecret,
            List<NodeRecord> nodes,
            List<String> removedSerials,
            List<DatasetOwner> datasetOwners) {
        this(workerSecret, managerSecret, nodes, removedSerials, datasetOwners, List.of(), 0);
    }

    /** The same state with other nodes. */
    public FederationState withNodes(List<NodeRecord> newNodes) {
        return new FederationState(
                workerSecret, managerSecret, newNodes, removedSerials, datasetOwners, managers, managersVersion);
    }

    /** The same state with other dataset owners. */
    public FederationState withDatasetOwners(List<DatasetOwner> owners) {
        return new FederationState(
                workerSecret, managerSecret, nodes, removedSerials, owners, managers, managersVersion);
    }

    /** The same state with other join token secrets. */
    public FederationState withSecrets(String worker, String manager) {
        return new FederationState(worker, manager, nodes, removedSerials, datasetOwners, managers, managersVersion);
    }

    /** The same state with other nodes, removed serials and dataset owners (a node's removal changes all three). */
    public FederationState withMembership(List<NodeRecord> newNodes, List<String> serials, List<DatasetOwner> owners) {
        return new FederationState(workerSecret, managerSecret, newNodes, serials, owners, managers, managersVersion);
    }

    /**
     * The same state with another list of managers and the next {@code managersVersion}. Deterministic (the version
     * follows from the state alone), so that every replica applying the same change reaches the same state.
     */
    public FederationState withManagers(List<ManagerRecord> newManagers) {
        return new FederationState(
                workerSecret, managerSecret, nodes, removedSerials, datasetOwners, newManagers, managersVersion + 1);
    }

    /** The managers nodes should hold a session to: the list, or {@code self} alone while the list is empty. */
    public List<ManagerRecord> managersOr(ManagerRecord self) {
        return managers.isEmpty() ? List.of(self) : managers;
    }
}
