package org.mipfed.manager.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The manager's metrics, in Prometheus' text format at {@code GET /metrics} (admins only). One registry
 * per manager; components take the {@link MeterRegistry} and register what they count. Names start with
 * {@code mipfed_}; a label never carries a data value or a count of rows, only names an operator chose
 * (node, dataset, rule, reason).
 */
public final class ManagerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    public ManagerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

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

    /** Everything registered, in Prometheus' text exposition format. */
    public String scrape() {
        return registry.scrape();
    }
}
