package org.mipfed.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.cli.demo.DemoFederation;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.request.AnalysisRequest;

/**
 * {@code mipfed demo --managers 3}'s federation, as the demo builds it (the same code, {@link DemoFederation}): three
 * hospitals with the dementia and longitudinal data, and two managers joined to the first with the manager token. When
 * the demo hands it over, every manager lists the three as ready (one leader, itself marked) and answers the demo's
 * linear regression with the same numbers.
 */
class TestDemoWithThreeManagers {
    @TempDir
    static Path dir;

    static LocalFederation federation;
    static final List<String> steps = new ArrayList<>();

    @BeforeAll
    static void startTheDemosFederation() {
        federation = DemoFederation.start(dir, 0, 0, 3, steps::add, created -> federation = created);
    }

    @AfterAll
    static void stop() {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    void theThreeManagersListEachOtherAsReadyAndAnswerTheSameRegression() {
        assertThat(steps)
                .anyMatch(s -> s.startsWith("manager 2 of 3: mipfed join-token manager"))
                .anyMatch(s -> s.startsWith("manager 3 of 3: mipfed join-token manager"));
        assertThat(federation.managerCount()).isEqualTo(3);
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ids.add(federation.managerId(i));
        }
        assertThat(ids).hasSize(3);
        // handed over only once each manager lists the three as ready: no waiting here
        for (int i = 0; i < 3; i++) {
            JsonNode managers = federation.admin(i).get("/admin/managers");
            Set<String> ready = new HashSet<>();
            List<String> self = new ArrayList<>();
            int leaders = 0;
            for (JsonNode m : managers) {
                if (m.path("status").asText().equals("ready")) {
                    ready.add(m.path("id").asText());
                }
                if (m.path("self").asBoolean()) {
                    self.add(m.path("id").asText());
                }
                leaders += m.path("role").asText().equals("leader") ? 1 : 0;
            }
            assertThat(ready).as("ready through manager " + i).isEqualTo(ids);
            assertThat(self).as("self through manager " + i).containsExactly(federation.managerId(i));
            assertThat(leaders).as("leaders through manager " + i).isEqualTo(1);
        }
        JsonNode first = federation.admin(0).post("/algorithms/linear_regression", regression());
        assertThat(first.path("n_obs").asLong()).isPositive();
        assertThat(first.path("contributing_nodes")).hasSize(3);
        for (int i = 1; i < 3; i++) {
            JsonNode again = federation.admin(i).post("/algorithms/linear_regression", regression());
            assertThat(again.path("n_obs").asLong())
                    .isEqualTo(first.path("n_obs").asLong());
            TestNodesWithTwoManagers.assertSameNumbers(first.path("coefficients"), again.path("coefficients"));
            TestNodesWithTwoManagers.assertSameNumbers(first.path("std_err"), again.path("std_err"));
        }
    }

    /** The demo's regression: lefthippocampus on agegroup, gender, righthippocampus and age, over every cohort. */
    private static ObjectNode regression() {
        List<String> datasets = new ArrayList<>();
        for (String cohort : List.of("edsd", "ppmi", "desd-synthdata")) {
            for (int i = 0; i < 10; i++) {
                datasets.add(cohort + i);
            }
        }
        return new AnalysisRequest(
                        "dementia:0.1",
                        datasets,
                        List.of("agegroup", "gender", "righthippocampus", "subjectageyears"),
                        List.of("lefthippocampus"),
                        null,
                        null,
                        null)
                .toJson();
    }
}
