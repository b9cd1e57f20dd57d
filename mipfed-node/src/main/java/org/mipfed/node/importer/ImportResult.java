package org.mipfed.node.importer;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A file imported.
 *
 * @param file the file's name
 * @param rows rows loaded from it
 * @param rowsByDataset rows loaded per dataset, in order of first appearance
 * @param datasetTotals each of those datasets' rows in the store afterwards (earlier files included)
 * @param replacedRows rows of those datasets removed because the file replaced them ({@link ImportMode#REPLACE}), else 0
 */
public record ImportResult(
        String dataModel,
        String file,
        String sha256,
        long rows,
        long bytes,
        Map<String, Long> rowsByDataset,
        Map<String, Long> datasetTotals,
        long replacedRows,
        Duration elapsed) {
    public ImportResult {
        requireNonNull(dataModel, "dataModel is null");
        requireNonNull(file, "file is null");
        requireNonNull(sha256, "sha256 is null");
        rowsByDataset = Collections.unmodifiableMap(new LinkedHashMap<>(rowsByDataset));
        datasetTotals = Collections.unmodifiableMap(new LinkedHashMap<>(datasetTotals));
        requireNonNull(elapsed, "elapsed is null");
    }
}
