package org.mipfed.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * Issue 21's speed targets, each against the figure this run measured: met, not met, or not measured (the part was
 * left out with {@code --only}, or measured at another size than the target's).
 */
final class SpeedTargets {
    /** The rows of the large comparisons: the targets for them are set at 10 million rows over 5 nodes. */
    private static final long LARGE_ROWS = 10_000_000;

    private SpeedTargets() {}

    /** One line per target, as a Markdown table. */
    static String text(List<ObjectNode> table, int clients) {
        StringBuilder text = new StringBuilder("Against issue 21's targets:\n\n");
        text.append(String.format("| %-58s | %-16s | %s |%n", "target", "measured", "met"));
        text.append("|" + "-".repeat(60) + "|" + "-".repeat(18) + "|-----|\n");
        Optional<ObjectNode> lr = find(table, "linear_regression, demo data", "latency");
        at(text, "linear regression, demo data, 3 nodes: p50 <= 6 ms", lr, "p50_ms", 6, true, " ms");
        at(text, "linear regression, demo data, 3 nodes: p99 <= 30 ms", lr, "p99_ms", 30, true, " ms");
        Optional<ObjectNode> throughput =
                find(table, "linear_regression, demo data, " + clients + " clients", "throughput");
        at(
                text,
                "linear regression, demo data: >= 250 per second (16 clients)",
                clients == 16 ? throughput : Optional.empty(),
                "per_second",
                250,
                false,
                "/s");
        // 250 per second on 2 cores leaves each analysis 2,000 / 250 = 8 ms of CPU over all the processes.
        at(
                text,
                "CPU per small analysis (all processes) <= 8 ms (250/s, 2 cores)",
                find(table, "CPU per small analysis (all processes)", "cpu"),
                "cpu_ms",
                8,
                true,
                " ms");
        at(
                text,
                "logistic regression, demo data, 3 nodes: p50 <= 25 ms",
                find(table, "logistic_regression, demo data", "latency"),
                "p50_ms",
                25,
                true,
                " ms");
        at(
                text,
                "10M rows over 5 nodes: linear <= 1.1x pooled",
                large(find(table, "linear_regression", "analysis")),
                "ratio",
                1.1,
                true,
                "x");
        at(
                text,
                "10M rows over 5 nodes: logistic <= 1.4x pooled",
                large(find(table, "logistic_regression", "analysis")),
                "ratio",
                1.4,
                true,
                "x");
        at(text, "import >= 50 MB/s", find(table, "import (validated, DuckDB)", "csv"), "mb_per_s", 50, false, " MB/s");
        return text.toString();
    }

    private static Optional<ObjectNode> find(List<ObjectNode> table, String what, String kind) {
        return table.stream()
                .filter(r -> r.path("what").asText().equals(what)
                        && r.path("kind").asText().equals(kind))
                .findFirst();
    }

    /** A comparison measured at the targets' size, else nothing (its ratio at another size says little). */
    private static Optional<ObjectNode> large(Optional<ObjectNode> row) {
        return row.filter(
                r -> r.path("rows").asLong() == LARGE_ROWS && r.path("nodes").asInt() == 5);
    }

    private static void at(
            StringBuilder text,
            String target,
            Optional<ObjectNode> row,
            String field,
            double bound,
            boolean atMost,
            String unit) {
        String measured = "not measured";
        String met = "";
        if (row.isPresent() && row.get().path(field).isNumber()) {
            double value = row.get().get(field).asDouble();
            measured = String.format("%.4g", value) + unit;
            met = (atMost ? value <= bound : value >= bound) ? "met" : "NOT met";
        }
        text.append(String.format("| %-58s | %-16s | %s |%n", target, measured, met));
    }
}
