package org.mipfed.manager.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.manager.metrics.ManagerMetrics;
import org.mipfed.proto.v1.PrivacyAlert;

/** A node's privacy alert reaches the audit trail, the metric and the list the admin page shows, newest first. */
class TestPrivacyAlerts {
    @Test
    void anAlertIsAuditedCountedAndListed(@TempDir Path dir) {
        ManagerMetrics metrics = new ManagerMetrics();
        try (AuditTrail audit = new AuditTrail(dir.resolve("audit.log"), "federation-1")) {
            PrivacyAlerts alerts = new PrivacyAlerts(audit, metrics, id -> id.equals("n-1") ? "chuv" : id);
            Instant until = Instant.parse("2027-01-11T09:00:00Z");
            for (String requester : new String[] {"mallory", "trudy"}) {
                alerts.raised(
                        "n-1",
                        PrivacyAlert.newBuilder()
                                .setRequester(requester)
                                .setDataModel("dementia:0.1")
                                .setDataset("edsd0")
                                .putRefusalsByRule("differencing", 2)
                                .putRefusalsByRule("repeated_selection", 1)
                                .setWindowHours(168)
                                .setLockedUntilUnixMillis(until.toEpochMilli())
                                .setUnixMillis(until.minusSeconds(604_800).toEpochMilli())
                                .build());
            }
            JsonNode newest = alerts.newest(10);
            assertThat(newest).hasSize(2);
            assertThat(newest.get(0).path("requester").asText()).isEqualTo("trudy");
            assertThat(newest.get(0).path("node").asText()).isEqualTo("chuv");
            assertThat(newest.get(0).path("locked_until").asText()).isEqualTo(until.toString());
            assertThat(newest.get(0)
                            .path("refusals_by_rule")
                            .path("differencing")
                            .asInt())
                    .isEqualTo(2);
            assertThat(alerts.newest(1)).hasSize(1);
            JsonNode line = audit.newest(1).get(0);
            assertThat(line.path("action").asText()).isEqualTo(PrivacyAlerts.ACTION);
            assertThat(line.path("user").asText()).isEqualTo("node:chuv");
            assertThat(line.path("details").path("requester").asText()).isEqualTo("trudy");
            assertThat(metrics.scrape()).contains("mipfed_alerts_total{kind=\"refusal_budget\"} 2.0");
        }
    }
}
