package org.mipfed.bench;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * R's time for the analyses the benchmark measures, on the pooled rows written once as CSV: the script is
 * {@code bench.R} beside this class (a file R users can read and run by hand), not Java strings.
 */
final class RTimings {
    /** What {@code bench.R} can time: R's own call for each of these analyses (lm, glm, cor, prcomp, t.test, kmeans). */
    static final List<String> ANALYSES = List.of(
            "linear_regression", "logistic_regression", "pearson_correlation", "pca", "ttest_independent", "kmeans");

    private RTimings() {}

    /** {@code Rscript} on the PATH, if R is installed. */
    static Optional<Path> rscript() {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(entry, "Rscript");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The script's text, as the benchmark runs it. */
    static String script() throws IOException {
        try (InputStream in = RTimings.class.getResourceAsStream("bench.R")) {
            return new String(
                    requireNonNull(in, "bench.R is not on the class path").readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Times {@code analyses} (each one of {@link #ANALYSES}) in R on {@code csv}: each model call alone, the median of
     * {@code runs} runs after one warm-up, in milliseconds. The script is written into {@code dir} first.
     *
     * @throws IOException when R fails, with its output
     */
    static Map<String, Double> time(Path rscript, Path dir, Path csv, int runs, List<String> analyses)
            throws IOException, InterruptedException {
        if (!ANALYSES.containsAll(analyses)) {
            throw new IllegalArgumentException("bench.R times only " + ANALYSES + ", not " + analyses);
        }
        Path script = dir.resolve("bench.R");
        Files.writeString(script, script());
        List<String> command =
                new ArrayList<>(List.of(rscript.toString(), script.toString(), csv.toString(), Integer.toString(runs)));
        command.addAll(analyses);
        Process r = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = new String(r.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();
        if (r.waitFor() != 0) {
            throw new IOException("R failed: " + String.join("\n", output));
        }
        Map<String, Double> times = new LinkedHashMap<>();
        for (String line : output) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 3 && parts[0].equals("TIME")) {
                times.put(parts[1], Double.parseDouble(parts[2]));
            }
        }
        return times;
    }
}
