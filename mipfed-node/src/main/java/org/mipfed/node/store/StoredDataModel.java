package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.DataModelInfo;

/**
 * A data model registered in the store, with the datasets imported under it (in code order).
 *
 * @param source where its rows are read in place, or null if they were imported into its data table
 * @param status the last validation of that source, or null
 */
public record StoredDataModel(
        DataModel model, List<StoredDataset> datasets, AttachedSource source, AttachmentStatus status) {
    public StoredDataModel {
        requireNonNull(model, "model is null");
        datasets = List.copyOf(datasets);
    }

    public StoredDataModel(DataModel model, List<StoredDataset> datasets) {
        this(model, datasets, null, null);
    }

    /** Whether the rows are read in place from an attached source. */
    public boolean attached() {
        return source != null;
    }

    /** "code:version". */
    public String id() {
        return model.id();
    }

    public Optional<StoredDataset> dataset(String code) {
        return datasets.stream().filter(d -> d.code().equals(code)).findFirst();
    }

    /** What the node announces in its hello message. */
    public DataModelInfo toProto() {
        DataModelInfo.Builder info = DataModelInfo.newBuilder()
                .setCode(model.code())
                .setVersion(model.version())
                .setCdesJson(model.json() == null ? "" : model.json());
        datasets.forEach(d -> info.addDatasets(d.toProto()));
        return info.build();
    }
}
