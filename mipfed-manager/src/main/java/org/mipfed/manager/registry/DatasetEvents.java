package org.mipfed.manager.registry;

/**
 * What the registry tells the rest of the manager about dataset ownership: a second node announcing
 * a dataset another node owns is a security event (a misconfigured import, or a node after another
 * hospital's analyses), so the manager records it in its audit trail and raises an alert.
 */
@FunctionalInterface
public interface DatasetEvents {
    /** Ignores every event (tests that build a registry alone). */
    DatasetEvents NONE = (node, dataModel, dataset, owner) -> {};

    /**
     * {@code node} announced {@code dataset} of {@code dataModel}, which {@code owner} owns: the claim
     * was refused, and the manager ignores that dataset of {@code node}. Called once per conflict and
     * manager run (again only after the conflict ended and came back, or after a restart of the manager).
     */
    void conflict(String node, String dataModel, String dataset, String owner);
}
