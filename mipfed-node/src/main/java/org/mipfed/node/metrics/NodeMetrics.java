package org.mipfed.node.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.mipfed.core.metrics.ProcessMetrics;

/**
 * The node's metrics, in Prometheus' text format on {@code mipfed node run --metrics-addr} (off by default). Every
 * name starts with {@code mipfed_}; a label carries only a name from the node's fixed vocabulary (a primitive, an
 * outcome, a refusal rule, a certificate's role): never a data value, a variable's value or a row count.
 */
public final class NodeMetrics {
    /** An answered primitive. */
    public static final String ANSWERED = "answered";
    /** A primitive refused by the node (its rule is counted in {@code mipfed_node_refusals_total}). */
    public static final String REFUSED = "refused";

    /** Latency buckets, from a cached count to a long multi-variable query on a big table. */
    private static final Duration[] BUCKETS = ProcessMetrics.latencyBuckets(Duration.ofMillis(5));

    private final ProcessMetrics process = new ProcessMetrics(
            BUCKETS,
            "Time to make one audit log write durable (fsync included)",
            "Audit log writes that failed; the node answers nothing while its audit log fails");
    private final MeterRegistry registry = process.registry();

    public MeterRegistry registry() {
        return registry;
    }

    /** One primitive the node answered or refused, and how long it took (store, privacy guard and audit line). */
    public void primitive(String primitive, String outcome, Duration took) {
        Timer.builder("mipfed_node_primitive_duration")
                .description("Time to answer or refuse one primitive, by primitive and outcome")
                .tag("primitive", requireNonNull(primitive, "primitive is null"))
                .tag("outcome", requireNonNull(outcome, "outcome is null"))
                .serviceLevelObjectives(BUCKETS)
                .register(registry)
                .record(took);
    }

    /** One refusal under {@code rule} (a rule name of the privacy guard or of the request's checks). */
    public void refusal(String rule) {
        Counter.builder("mipfed_node_refusals")
                .description("Primitives refused, by the rule that refused them")
                .tag("rule", requireNonNull(rule, "rule is null"))
                .register(registry)
                .increment();
    }

    /** One audit log write: its time, or its failure. */
    public void auditAppend(long nanos, boolean failed) {
        process.auditAppend(nanos, failed);
    }

    /** 1 while the session to the manager is up (welcomed), else 0. */
    public void sessionConnected(BooleanSupplier connected) {
        requireNonNull(connected, "connected is null");
        Gauge.builder("mipfed_node_session_connected", () -> connected.getAsBoolean() ? 1 : 0)
                .description("1 while the node's session to the manager is up, else 0")
                .register(registry);
    }

    /** Seconds left until the certificate named {@code role} expires (negative once expired), read at each scrape. */
    public void certificateExpiry(String role, Supplier<Instant> notAfter) {
        process.certificateExpiry(role, notAfter);
    }

    /** Everything registered, in Prometheus' text exposition format. */
    public String scrape() {
        return process.scrape();
    }
}
