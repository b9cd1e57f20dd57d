package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Which node a dataset belongs to: the first node to announce a dataset code of a data model owns it,
 * durably, so that another node announcing the same code later (a misconfigured import, or a node
 * that wants another hospital's analyses) cannot take it. Only an administrator moves it.
 *
 * @param dataModel the data model's id, {@code code:version}
 * @param dataset the dataset's code
 * @param node the owning node's id
 * @param since when the node claimed it or an administrator moved it there
 */
public record DatasetOwner(String dataModel, String dataset, String node, Instant since) {
    public DatasetOwner {
        requireNonNull(dataModel, "dataModel is null");
        requireNonNull(dataset, "dataset is null");
        requireNonNull(node, "node is null");
        requireNonNull(since, "since is null");
    }

    public boolean is(String model, String code) {
        return dataModel.equals(model) && dataset.equals(code);
    }
}
