package org.mipfed.cli.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.mipfed.core.json.Json;

/**
 * MIP-shaped synthetic data for the benchmark: a data model {@code bench:1.0} with ten numerical
 * covariates, a numerical outcome, a binary outcome and two nominal variables, about 3% missing
 * values, and one CSV per node (one dataset each). Seeded: the same arguments give the same files.
 */
final class SyntheticData {
    static final int COVARIATES = 10;
    static final String MODEL = "bench:1.0";
    static final String[] AGE_GROUPS = {"-50y", "50-59y", "60-69y", "70-79y", "+80y"};

    private SyntheticData() {
    }

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
        dataset.put("code", "dataset").put("label", "Dataset").put("sql_type", "text").put("isCategorical", true);
        ArrayNode enums = dataset.putArray("enumerations");
        for (int n = 0; n < nodes; n++) {
            enums.addObject().put("code", "site" + n).put("label", "Site " + n);
        }
        for (String x : covariates()) {
            variables.addObject().put("code", x).put("label", x).put("sql_type", "real").put("isCategorical", false);
        }
        variables.addObject().put("code", "y").put("label", "Outcome").put("sql_type", "real").put("isCategorical", false);
        ObjectNode event = variables.addObject().put("code", "event").put("label", "Event").put("sql_type", "text").put("isCategorical", true);
        event.putArray("enumerations").add(level("no")).add(level("yes"));
        ObjectNode gender = variables.addObject().put("code", "gender").put("label", "Gender").put("sql_type", "text").put("isCategorical", true);
        gender.putArray("enumerations").add(level("F")).add(level("M"));
        ObjectNode age = variables.addObject().put("code", "agegroup").put("label", "Age group").put("sql_type", "text").put("isCategorical", true);
        ArrayNode ages = age.putArray("enumerations");
        for (String a : AGE_GROUPS) {
            ages.add(level(a));
        }
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("CDEsMetadata.json");
            Files.write(file, Json.pretty().writeValueAsBytes(root));
            return file;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode level(String code) {
        return Json.mapper().createObjectNode().put("code", code).put("label", code);
    }

    /** Writes node {@code node}'s CSV of {@code rows} rows; returns its path. */
    static Path writeCsv(Path dir, int node, long rows) {
        Path file = dir.resolve("site" + node + ".csv");
        SplittableRandom random = new SplittableRandom(1_000_003L * (node + 1));
        StringBuilder line = new StringBuilder(256);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("dataset," + String.join(",", covariates()) + ",y,event,gender,agegroup\n");
            double[] x = new double[COVARIATES];
            for (long r = 0; r < rows; r++) {
                line.setLength(0);
                line.append("site").append(node);
                double eta = 0.5;
                for (int i = 0; i < COVARIATES; i++) {
                    // Brain-volume-like magnitudes with a site effect, so centring matters.
                    x[i] = 3.0 + i + 0.5 * node + random.nextGaussian() * (0.3 + 0.05 * i);
                    eta += (i % 3 - 1) * 0.4 * (x[i] - 3.0 - i);
                    line.append(',');
                    if (random.nextInt(100) >= 3) {
                        line.append(Math.round(x[i] * 1e5) / 1e5);
                    }
                }
                double y = 2.0 + 0.8 * x[0] - 0.3 * x[1] + 0.1 * x[5] + random.nextGaussian();
                line.append(',').append(Math.round(y * 1e5) / 1e5);
                line.append(',').append(random.nextDouble() < 1 / (1 + Math.exp(-eta)) ? "yes" : "no");
                line.append(',').append(random.nextBoolean() ? "F" : "M");
                line.append(',').append(AGE_GROUPS[random.nextInt(AGE_GROUPS.length)]).append('\n');
                out.append(line);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }
}
