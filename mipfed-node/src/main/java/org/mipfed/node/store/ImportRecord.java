package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** One file imported into the store, remembered by content so the same file is not loaded twice. */
public record ImportRecord(String dataModel, String source, String sha256, long bytes, long rows, Instant importedAt) {
    public ImportRecord {
        requireNonNull(dataModel, "dataModel is null");
        requireNonNull(source, "source is null");
        requireNonNull(sha256, "sha256 is null");
        requireNonNull(importedAt, "importedAt is null");
    }
}
