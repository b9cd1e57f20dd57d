package org.mipfed.manager.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.mipfed.core.metrics.ProcessMetrics;

/**
 * The manager's metrics, in Prometheus' text format at {@code GET /metrics} (for a token of role {@code metrics} or
 * {@code admin}). One registry per manager; components call the methods here or take the {@link MeterRegistry} and
 * register what they count. Names start with {@code mipfed_}; a label never carries a data value or a count of rows,
 * only names from a fixed vocabulary or chosen by an operator (algorithm, outcome, status, node alias, kind).
 */
public final class ManagerMetrics {
    /** How an analysis ended: the {@code outcome} label of {@code mipfed_analysis_duration_seconds}. */
    public static final String SUCCESS = "success";
    /** A node refused a primitive of the analysis (its rule is on the node's own metrics and audit log). */
    public static final String REFUSED = "refused";
    /** The request was wrong (a 4xx other than a node's refusal). */
    public static final String INVALID = "invalid";
    /** Too few nodes, a node away, a time-out (503). */
    public static final String UNAVAILABLE = "unavailable";
    /** The manager or a node failed (5xx). */
    public static final String ERROR = "error";

    private static final Duration[] BUCKETS = ProcessMetrics.latencyBuckets(Duration.ofSeconds(300));

    private final ProcessMetrics process = new ProcessMetrics(
            BUCKETS,
            "Time to make one audit trail write durable (fsync included)",
            "Audit trail writes that failed; the action they record fails with them");
    private final MeterRegistry registry = process.registry();

    public MeterRegistry registry() {
        return registry;
    }

    /** A counter of security-relevant events an admin should see, e.g. {@code mipfed_alerts_total{kind=...}}. */
    public Counter alerts(String kind) {
        return Counter.builder("mipfed_alerts")
                .description("Security alerts raised, by kind")
                .tag("kind", kind)
                .register(registry);
    }

    /**
     * One analysis finished: its time from request to result, how it ended ({@link #SUCCESS}, {@link #REFUSED},
     * {@link #INVALID}, {@link #UNAVAILABLE}, {@link #ERROR}) and how many primitive rounds it sent to the nodes.
     */
    public void analysis(String algorithm, String outcome, Duration took, int rounds) {
        requireNonNull(algorithm, "algorithm is null");
        Timer.builder("mipfed_analysis_duration")
                .description("Time to run one analysis, by algorithm and outcome")
                .tag("algorithm", algorithm)
                .tag("outcome", requireNonNull(outcome, "outcome is null"))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(took);
        DistributionSummary.builder("mipfed_analysis_rounds")
                .description("Primitive rounds (one request to every node involved) per analysis, by algorithm")
                .tag("algorithm", algorithm)
                .serviceLevelObjectives(1, 2, 5, 10, 20, 50, 100, 200)
                .register(registry)
                .record(rounds);
    }

    /** One audit trail write: its time, or its failure. */
    public void auditAppend(long nanos, boolean failed) {
        process.auditAppend(nanos, failed);
    }

    /**
     * {@code mipfed_nodes{status, availability}}: how many nodes are in each state, and {@code mipfed_node_up{node}}
     * (1 when the node's session is up), read from {@code nodes} at each scrape.
     *
     * @param nodes for each node: its display name, status ({@code ready}, {@code down}) and availability
     */
    public void nodes(Supplier<List<NodeState>> nodes) {
        requireNonNull(nodes, "nodes is null");
        MultiGauge byStatus = MultiGauge.builder("mipfed_nodes")
                .description("Nodes of the federation, by session status and availability for analyses")
                .register(registry);
        MultiGauge up = MultiGauge.builder("mipfed_node_up")
                .description("1 while the node's session to the manager is up, else 0; by node (its alias)")
                .register(registry);
        process.beforeScrape(() -> {
            List<NodeState> now = nodes.get();
            Map<List<String>, Long> counts = now.stream()
                    .collect(java.util.stream.Collectors.groupingBy(
                            n -> List.of(n.status(), n.availability()), java.util.stream.Collectors.counting()));
            byStatus.register(
                    counts.entrySet().stream()
                            .map(e -> MultiGauge.Row.of(
                                    Tags.of(
                                            "status",
                                            e.getKey().get(0),
                                            "availability",
                                            e.getKey().get(1)),
                                    e.getValue()))
                            .toList(),
                    true);
            up.register(
                    now.stream()
                            .map(n -> MultiGauge.Row.of(
                                    Tags.of("node", n.name()), n.status().equals("ready") ? 1 : 0))
                            .toList(),
                    true);
        });
    }

    /** A node as the metrics see it. */
    public record NodeState(String name, String status, String availability) {
        public NodeState {
            requireNonNull(name, "name is null");
            requireNonNull(status, "status is null");
            requireNonNull(availability, "availability is null");
        }
    }

    /** {@code mipfed_experiments{status}}: stored experiments by status, read from {@code statuses} at each scrape. */
    public void experiments(Supplier<Map<String, Long>> statuses) {
        requireNonNull(statuses, "statuses is null");
        MultiGauge gauge = MultiGauge.builder("mipfed_experiments")
                .description("Stored experiments, by status")
                .register(registry);
        process.beforeScrape(() -> gauge.register(
                statuses.get().entrySet().stream()
                        .map(e -> MultiGauge.Row.of(Tags.of("status", e.getKey()), e.getValue()))
                        .toList(),
                true));
    }

    /** Seconds left until the certificate named {@code role} expires (negative once expired), read at each scrape. */
    public void certificateExpiry(String role, Supplier<Instant> notAfter) {
        process.certificateExpiry(role, notAfter);
    }

    /**
     * Whether the manager can serve ({@code GET /readyz}): its state was loaded before the API started, so this is
     * whether its audit trail still takes lines (the last write did not fail).
     */
    public boolean ready() {
        return !process.auditFailing();
    }

    /** Everything registered, in Prometheus' text exposition format. */
    public String scrape() {
        return process.scrape();
    }
}
