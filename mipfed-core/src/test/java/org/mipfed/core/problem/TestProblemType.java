package org.mipfed.core.problem;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestProblemType {
    @Test
    void everyTypeHasAUniqueCodeAnErrorStatusAndAUrnType() {
        assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::code))
                .doesNotHaveDuplicates()
                .allMatch(code -> code.matches("[a-z][a-z_]*"));
        for (ProblemType type : ProblemType.values()) {
            assertThat(type.status()).as(type.code()).isBetween(400, 599);
            assertThat(type.type().toString()).isEqualTo("urn:mipfed:problem:" + type.code());
            assertThat(ProblemType.fromCode(type.code())).contains(type);
        }
    }

    @Test
    void aRefusalCarriesItsNodeAndRuleAsFields() {
        Problem refusal = Problem.refusedByNode("hospital-a", "min_rows", "Node hospital-a refused: too few rows");
        assertThat(refusal.status()).isEqualTo(400);
        assertThat(refusal.code()).isEqualTo("refused_by_node");
        assertThat(refusal.extensions()).isEqualTo(Map.of("node", "hospital-a", "rule", "min_rows"));
        assertThat(refusal.withDetail("In fold 1: " + refusal.detail()).extensions())
                .isEqualTo(refusal.extensions());
    }

    @Test
    void aDocumentHasTheStandardMembersTheCodeAndTheExtensions() {
        ObjectNode document = ProblemDocument.of(
                Problem.refusedByNode("hospital-a", "min_rows", "Node hospital-a refused"), "/algorithms/x");
        assertThat(document.path("type").asText()).isEqualTo("urn:mipfed:problem:refused_by_node");
        assertThat(document.path("title").asText()).isEqualTo("Refused by a node");
        assertThat(document.path("status").asInt()).isEqualTo(400);
        assertThat(document.path("detail").asText()).isEqualTo("Node hospital-a refused");
        assertThat(document.path("instance").asText()).isEqualTo("/algorithms/x");
        assertThat(document.path("code").asText()).isEqualTo("refused_by_node");
        assertThat(document.path("node").asText()).isEqualTo("hospital-a");
        assertThat(document.path("rule").asText()).isEqualTo("min_rows");
        // an extension cannot pass itself off as a standard member
        ObjectNode spoofed = ProblemDocument.of(
                new Problem(ProblemType.NODE_ERROR, "d", Map.of("status", "200", "code", "ok"), null), null);
        assertThat(spoofed.path("status").asInt()).isEqualTo(502);
        assertThat(spoofed.path("code").asText()).isEqualTo("node_error");
        assertThat(spoofed.has("instance")).isFalse();
    }

    @Test
    void aBareStatusFromElsewhereMapsToTheClosestType() {
        assertThat(ProblemType.forStatus(404)).isEqualTo(ProblemType.NOT_FOUND);
        assertThat(ProblemType.forStatus(405)).isEqualTo(ProblemType.METHOD_NOT_ALLOWED);
        assertThat(ProblemType.forStatus(418)).isEqualTo(ProblemType.INVALID_REQUEST);
        assertThat(ProblemType.forStatus(599)).isEqualTo(ProblemType.INTERNAL_ERROR);
        assertThat(ProblemType.fromCode("no_such_code")).isEmpty();
    }
}
