package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DuckDbStore;

/**
 * Parquet files attached in place on a DuckDB node: the dementia rows written by the test with DuckDB's
 * COPY, one file per dataset, under other column names and codes, read through a glob.
 */
class TestAttachedParquetFiles extends AttachedSourceValidation {
    private Path export;
    private int added;
    /** Each file's SHA-256 as the test wrote it: the node must leave them as they are. */
    private final Map<String, String> written = new TreeMap<>();

    private Path hospitalStore() {
        return dir.resolve("hospital.duckdb");
    }

    @Override
    DataStore loadingStore() {
        return DuckDbStore.open(hospitalStore());
    }

    @Override
    void createSource(DataStore loaded, List<Path> csvs) {
        export = dir.resolve("export");
        try {
            Files.createDirectories(export);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String dataset : dementia.datasets().keySet()) {
            String file = export.resolve(dataset + ".parquet").toString();
            int[] rows = {0};
            loaded.withConnection(c -> {
                try (Statement s = c.createStatement()) {
                    rows[0] = s.executeUpdate("COPY (" + renamed("data_dementia_0_1") + " WHERE \"dataset\" = '"
                            + dataset + "') TO '" + file + "' (FORMAT parquet)");
                }
                return null;
            });
            if (rows[0] == 0) {
                delete(Path.of(file));
            }
        }
        recordWritten();
    }

    private void recordWritten() {
        try (Stream<Path> files = Files.list(export)) {
            files.forEach(f -> written.put(f.getFileName().toString(), sha256(f)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Every fifth case (20 linear regressions, 11 descriptive statistics): DuckDB reads and checks the Parquet
     * files anew for each primitive, which costs more than the PostgreSQL view, whose class runs every case.
     */
    @Override
    int caseStride() {
        return 5;
    }

    @Override
    String nodeStore() {
        return null;
    }

    @Override
    List<String> sourceArguments() {
        return List.of("--parquet", export + "/*.parquet");
    }

    @Override
    void addRows(Map<Long, Map<String, String>> rows) {
        String file = export.resolve("added-" + (++added) + ".parquet").toString();
        try (DataStore store = DuckDbStore.open(hospitalStore())) {
            store.withConnection(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("COPY (" + renamed("(" + addedRows("data_dementia_0_1", rows) + ") \"added$\"") + ") TO '"
                            + file + "' (FORMAT parquet)");
                }
                return null;
            });
        }
        recordWritten();
    }

    @Override
    void dropSource() {
        written.keySet().forEach(f -> delete(export.resolve(f)));
    }

    @Override
    void checkReadOnly() {
        // The node read the files for every analysis above and left each byte as the test wrote it.
        try (Stream<Path> files = Files.list(export)) {
            Map<String, String> now = new TreeMap<>();
            files.forEach(f -> now.put(f.getFileName().toString(), sha256(f)));
            assertThat(now).isEqualTo(written);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    void cleanUp() {
        // The files live under target/, with the federation's working directory.
    }
}
