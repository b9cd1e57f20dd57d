package org.mipfed.node.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

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
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer auditAppends;
    private final Counter auditFailures;

    public NodeMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        auditAppends = Timer.builder("mipfed_audit_append")
                .description("Time to make one audit log write durable (fsync included)")
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        auditFailures = Counter.builder("mipfed_audit_append_failures")
                .description("Audit log writes that failed; the node answers nothing while its audit log fails")
                .register(registry);
    }

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
        if (failed) {
            auditFailures.increment();
        } else {
            auditAppends.record(Duration.ofNanos(nanos));
        }
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
        requireNonNull(notAfter, "notAfter is null");
        Gauge.builder(
                        "mipfed_certificate_expiry_seconds",
                        () -> Duration.between(Instant.now(), notAfter.get()).toSeconds())
                .description("Seconds until the certificate expires (negative once it has)")
                .tag("certificate", requireNonNull(role, "role is null"))
                .register(registry);
    }

    /** Everything registered, in Prometheus' text exposition format. */
    public String scrape() {
        return registry.scrape();
    }
}
