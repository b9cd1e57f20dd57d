package org.mipfed.core.metrics;

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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What the manager's and the node's metrics share: one Prometheus registry per process with the JVM's and the
 * process's meters (memory, threads, GC, classes, CPU, uptime, file descriptors), the audit trail's write time and
 * failures ({@code mipfed_audit_append}, {@code mipfed_audit_append_failures}), the certificates' expiry
 * ({@code mipfed_certificate_expiry_seconds}), and the scrape in Prometheus' text format. Each process adds its own
 * meters to {@link #registry()}.
 */
public final class ProcessMetrics {
    /** The content type of a scrape ({@code GET /metrics}): Prometheus' text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The latency buckets the processes' timers share, from 10 ms to a minute. */
    private static final List<Duration> LATENCY_BUCKETS = List.of(
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
            Duration.ofSeconds(60));

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final List<Runnable> beforeScrape = new CopyOnWriteArrayList<>();
    private final Timer auditAppends;
    private final Counter auditFailures;
    private volatile boolean auditFailing;

    /**
     * @param auditBuckets the audit write time's histogram buckets (service level objectives)
     * @param auditDescription what {@code mipfed_audit_append} measures in this process
     * @param failureDescription what {@code mipfed_audit_append_failures} counts in this process, and what it stops
     */
    public ProcessMetrics(Duration[] auditBuckets, String auditDescription, String failureDescription) {
        requireNonNull(auditBuckets, "auditBuckets is null");
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        auditAppends = Timer.builder("mipfed_audit_append")
                .description(requireNonNull(auditDescription, "auditDescription is null"))
                .serviceLevelObjectives(auditBuckets)
                .register(registry);
        auditFailures = Counter.builder("mipfed_audit_append_failures")
                .description(requireNonNull(failureDescription, "failureDescription is null"))
                .register(registry);
    }

    /** The shared latency buckets (10 ms to 60 s) with {@code more} of a process's own, in order. */
    public static Duration[] latencyBuckets(Duration... more) {
        return java.util.stream.Stream.concat(LATENCY_BUCKETS.stream(), java.util.Arrays.stream(more))
                .distinct()
                .sorted()
                .toArray(Duration[]::new);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** One audit trail write: its time, or its failure. */
    public void auditAppend(long nanos, boolean failed) {
        auditFailing = failed;
        if (failed) {
            auditFailures.increment();
        } else {
            auditAppends.record(Duration.ofNanos(nanos));
        }
    }

    /** Whether the last audit trail write failed (the process then serves nothing that must be audited). */
    public boolean auditFailing() {
        return auditFailing;
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

    /** Runs {@code update} before each scrape (gauges whose rows are read anew, e.g. one per node). */
    public void beforeScrape(Runnable update) {
        beforeScrape.add(requireNonNull(update, "update is null"));
    }

    /** Everything registered, in Prometheus' text exposition format ({@link #CONTENT_TYPE}). */
    public String scrape() {
        beforeScrape.forEach(Runnable::run);
        return registry.scrape();
    }
}
