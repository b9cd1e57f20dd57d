package org.mipfed.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;

/**
 * The managers' figures ({@link ManagerGroupBench}) side by side, one manager against three, each against issue 16's
 * target where it sets one: writes accepted again within 5 s of the leader's loss, no analysis failed on the
 * survivors, a restarted manager caught up within 10 s.
 */
final class ManagerTable {
    private ManagerTable() {}

    /** The table, in Markdown. */
    static String text(List<ObjectNode> table) {
        StringBuilder text = new StringBuilder("Managers (issue 16): 3 nodes, 1 manager then 3 managers, processes on"
                + " loopback; the small linear regression of the demo data:\n\n");
        text.append(String.format(
                "| %-58s | %-24s | %-34s | %-8s | %-7s |%n", "figure", "1 manager", "3 managers", "target", "met"));
        text.append("|" + "-".repeat(60) + "|" + "-".repeat(26) + "|" + "-".repeat(36) + "|" + "-".repeat(10) + "|"
                + "-".repeat(9) + "|\n");
        sideBySide(
                text,
                table,
                "analysis latency p50 / p99 (spread over the managers)",
                "analysis (small linear regression), ",
                "p50_ms",
                "p99_ms");
        sideBySide(
                text,
                table,
                "CPU per analysis: managers / nodes (all processes summed)",
                "analysis (small linear regression), ",
                "cpu_ms_manager",
                "cpu_ms_nodes");
        sideBySide(
                text,
                table,
                "  ... managers' CPU above their idle / their idle CPU per s",
                "analysis (small linear regression), ",
                "cpu_ms_manager_above_idle",
                "idle_cpu_ms_manager_per_s");
        sideBySide(
                text,
                table,
                "write latency p50 / p99 (a node's label)",
                "write (a node's label), ",
                "p50_ms",
                "p99_ms");
        Optional<ObjectNode> restart = find(table, "restart, 1 manager (kill -9; no survivor)");
        Optional<ObjectNode> failed = find(table, "failover, 3 managers (kill -9 of the leader)")
                .filter(r -> r.path("failed").isTextual());
        Optional<ObjectNode> failover = find(table, "failover, 3 managers (kill -9 of the leader)")
                .filter(r -> !r.path("failed").isTextual());
        line(
                text,
                "kill -9 of the leader: a write accepted again (median / max)",
                restart.map(r -> "restart: " + ms(r, "failover_ms")).orElse("not measured"),
                failover.map(r -> "on a survivor " + ms(r, "failover_ms") + " / " + ms(r, "failover_max_ms"))
                        .orElse("not measured"),
                "<= 5 s",
                failover.map(r -> met(r.path("failover_max_ms").asDouble() <= ManagerGroupBench.FAILOVER_TARGET_MS))
                        .orElse(""));
        line(
                text,
                "  ... on both survivors (median / max)",
                "",
                failover.map(r -> ms(r, "failover_both_ms") + " / " + ms(r, "failover_both_max_ms"))
                        .orElse(""),
                "",
                "");
        line(
                text,
                "analyses failed on the survivors meanwhile (8 clients)",
                restart.isPresent() ? "all (no manager)" : "",
                failover.map(r -> r.path("analyses_failed").asLong() + " of "
                                + r.path("analyses").asLong() + ", slowest " + ms(r, "slowest_ms"))
                        .orElse("not measured"),
                "0",
                failover.map(r -> met(r.path("analyses_failed").asLong() == 0)).orElse(""));
        line(
                text,
                "killed manager restarted: same state as the others after",
                "",
                failover.map(r -> ms(r, "catch_up_ms") + " / " + ms(r, "catch_up_max_ms") + " max")
                        .orElse("not measured"),
                "<= 10 s",
                failover.map(r -> met(r.path("catch_up_max_ms").asDouble() <= ManagerGroupBench.CATCH_UP_TARGET_MS))
                        .orElse(""));
        failover.ifPresent(r -> text.append(String.format(
                "(%d failovers; the catch-up counts from when the restarted manager answers)%n",
                r.path("runs").asInt())));
        failed.ifPresent(r -> text.append(
                "The failover could not be measured: " + r.path("failed").asText() + "\n"));
        double low = Double.POSITIVE_INFINITY;
        double high = 0;
        for (ObjectNode r : table) {
            if (r.path("kind").asText().equals("managers")
                    && r.path("load_average").isNumber()) {
                low = Math.min(low, r.get("load_average").asDouble());
                high = Math.max(high, r.get("load_average").asDouble());
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (high > 0) {
            text.append(String.format(
                    "Load average (1 min) at the rows: %.1f to %.1f on %d cores%s%n",
                    low,
                    high,
                    cores,
                    high > cores
                            ? ": a loaded machine, wall times are inflated (read the CPU figures and ratios)"
                            : ""));
        }
        return text.toString();
    }

    /** A line of two figures (in ms) of the rows {@code what} "1 manager" and {@code what} "3 managers". */
    private static void sideBySide(
            StringBuilder text, List<ObjectNode> table, String figure, String what, String a, String b) {
        line(
                text,
                figure,
                pair(find(table, what + "1 manager"), a, b),
                pair(find(table, what + "3 managers"), a, b),
                "",
                "");
    }

    private static Optional<ObjectNode> find(List<ObjectNode> table, String what) {
        return table.stream()
                .filter(r -> r.path("kind").asText().equals("managers")
                        && r.path("what").asText().equals(what))
                .findFirst();
    }

    private static String pair(Optional<ObjectNode> row, String a, String b) {
        return row.filter(r -> r.path(a).isNumber() && r.path(b).isNumber())
                .map(r -> String.format(
                        "%.3g / %.3g ms", r.get(a).asDouble(), r.get(b).asDouble()))
                .orElse("not measured");
    }

    private static String ms(ObjectNode r, String field) {
        double ms = r.path(field).asDouble(Double.NaN);
        return ms >= 10_000 ? String.format("%.1f s", ms / 1e3) : String.format("%.0f ms", ms);
    }

    private static String met(boolean met) {
        return met ? "met" : "NOT met";
    }

    private static void line(StringBuilder text, String figure, String one, String three, String target, String met) {
        text.append(String.format("| %-58s | %-24s | %-34s | %-8s | %-7s |%n", figure, one, three, target, met));
    }
}
