package org.mipfed.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.RowWriter;
import org.mipfed.node.store.StoreCatalog;

/**
 * MIP-shaped synthetic data for the benchmark: a data model {@code bench:1.0} with ten numerical
 * covariates, a numerical outcome, a binary outcome and two nominal variables, about 3% missing
 * values, and one CSV per node (one dataset each). Seeded: the same arguments give the same files.
 */
final class SyntheticData {
    static final int COVARIATES = 10;
    static final String MODEL = "bench:1.0";
    static final String[] AGE_GROUPS = {"-50y", "50-59y", "60-69y", "70-79y", "+80y"};

    private SyntheticData() {}

    static List<String> covariates() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= COVARIATES; i++) {
            out.add("x" + i);
        }
        return out;
    }

    static Path writeDataModel(Path dir, int nodes) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("code", "bench").put("version", "1.0").put("label", "Benchmark");
        ArrayNode variables = root.putArray("variables");
        ObjectNode dataset = variables.addObject();
        dataset.put("code", "dataset")
                .put("label", "Dataset")
                .put("sql_type", "text")
                .put("isCategorical", true);
        ArrayNode enums = dataset.putArray("enumerations");
        for (int n = 0; n < nodes; n++) {
            enums.addObject().put("code", "site" + n).put("label", "Site " + n);
        }
        for (String x : covariates()) {
            variables
                    .addObject()
                    .put("code", x)
                    .put("label", x)
                    .put("sql_type", "real")
                    .put("isCategorical", false);
        }
        variables
                .addObject()
                .put("code", "y")
                .put("label", "Outcome")
                .put("sql_type", "real")
                .put("isCategorical", false);
        ObjectNode event = variables
                .addObject()
                .put("code", "event")
                .put("label", "Event")
                .put("sql_type", "text")
                .put("isCategorical", true);
        event.putArray("enumerations").add(level("no")).add(level("yes"));
        ObjectNode gender = variables
                .addObject()
                .put("code", "gender")
                .put("label", "Gender")
                .put("sql_type", "text")
                .put("isCategorical", true);
        gender.putArray("enumerations").add(level("F")).add(level("M"));
        ObjectNode age = variables
                .addObject()
                .put("code", "agegroup")
                .put("label", "Age group")
                .put("sql_type", "text")
                .put("isCategorical", true);
        ArrayNode ages = age.putArray("enumerations");
        for (String a : AGE_GROUPS) {
            ages.add(level(a));
        }
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("CDEsMetadata.json");
            Files.write(file, Json.pretty().writeValueAsBytes(root));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode level(String code) {
        return Json.mapper().createObjectNode().put("code", code).put("label", code);
    }

    /** One generated row; {@code NaN} marks a missing covariate. */
    static final class Row {
        final double[] x = new double[COVARIATES];
        double y;
        String event;
        String gender;
        String ageGroup;
    }

    /** The rows of one node, in order, from its own seed: the CSV and the store get the same values. */
    static final class Generator {
        private final SplittableRandom random;
        private final int node;
        private final Row row = new Row();

        Generator(int node) {
            this.node = node;
            this.random = new SplittableRandom(1_000_003L * (node + 1));
        }

        /** The next row (the same object each time, overwritten). */
        Row next() {
            double eta = 0.5;
            double[] exact = new double[COVARIATES];
            for (int i = 0; i < COVARIATES; i++) {
                // Brain-volume-like magnitudes with a site effect, so centring matters.
                exact[i] = 3.0 + i + 0.5 * node + random.nextGaussian() * (0.3 + 0.05 * i);
                eta += (i % 3 - 1) * 0.4 * (exact[i] - 3.0 - i);
                row.x[i] = random.nextInt(100) >= 3 ? Math.round(exact[i] * 1e5) / 1e5 : Double.NaN;
            }
            row.y = Math.round((2.0 + 0.8 * exact[0] - 0.3 * exact[1] + 0.1 * exact[5] + random.nextGaussian()) * 1e5)
                    / 1e5;
            row.event = random.nextDouble() < 1 / (1 + Math.exp(-eta)) ? "yes" : "no";
            row.gender = random.nextBoolean() ? "F" : "M";
            row.ageGroup = AGE_GROUPS[random.nextInt(AGE_GROUPS.length)];
            return row;
        }
    }

    static List<String> columns() {
        List<String> out = new ArrayList<>();
        out.add("dataset");
        out.addAll(covariates());
        out.addAll(List.of("y", "event", "gender", "agegroup"));
        return out;
    }

    /** Writes node {@code node}'s CSV of {@code rows} rows; returns its path. */
    static Path writeCsv(Path dir, int node, long rows) {
        Path file = dir.resolve("site" + node + ".csv");
        Generator generator = new Generator(node);
        StringBuilder line = new StringBuilder(256);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write(String.join(",", columns()) + "\n");
            for (long r = 0; r < rows; r++) {
                Row row = generator.next();
                line.setLength(0);
                line.append("site").append(node);
                for (double x : row.x) {
                    line.append(',');
                    if (!Double.isNaN(x)) {
                        line.append(x);
                    }
                }
                line.append(',')
                        .append(row.y)
                        .append(',')
                        .append(row.event)
                        .append(',')
                        .append(row.gender)
                        .append(',')
                        .append(row.ageGroup)
                        .append('\n');
                out.append(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /**
     * Generates node {@code node}'s rows straight into a store (dataset {@code site<node>}), streamed
     * through the store's appender in one transaction: nothing of the table is kept on the heap, so
     * tens of millions of rows need no CSV and no memory beyond a batch.
     */
    static void load(DataStore store, DataModel model, int node, long rows) {
        store.inTransaction(connection -> {
            store.catalog().register(connection, model);
            List<String> columns = new ArrayList<>();
            columns.add(StoreCatalog.ROW_ID);
            columns.addAll(columns());
            long rowId = store.catalog().nextRowId(connection, model);
            String dataset = "site" + node;
            Generator generator = new Generator(node);
            try (RowWriter writer = store.rowWriter(connection, model, columns)) {
                for (long r = 0; r < rows; r++) {
                    Row row = generator.next();
                    writer.setLong(0, rowId++);
                    writer.setText(1, dataset);
                    for (int i = 0; i < COVARIATES; i++) {
                        if (!Double.isNaN(row.x[i])) {
                            writer.setDouble(2 + i, row.x[i]);
                        }
                    }
                    writer.setDouble(2 + COVARIATES, row.y);
                    writer.setText(3 + COVARIATES, row.event);
                    writer.setText(4 + COVARIATES, row.gender);
                    writer.setText(5 + COVARIATES, row.ageGroup);
                    writer.endRow();
                }
            }
            store.catalog()
                    .refreshDatasets(connection, model, List.of(dataset), "generated by mipfed bench", Instant.now());
            return null;
        });
    }
}
