package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.mipfed.proto.v1.DatasetInfo;

/**
 * A dataset held by the store.
 *
 * @param source the file its latest rows came from
 * @param importedAt when rows were last added to it
 */
public record StoredDataset(String code, String label, long rows, String source, Instant importedAt) {
    public StoredDataset {
        requireNonNull(code, "code is null");
        requireNonNull(label, "label is null");
    }

    public DatasetInfo toProto() {
        return DatasetInfo.newBuilder()
                .setCode(code)
                .setLabel(label)
                .setRows(rows)
                .build();
    }
}
