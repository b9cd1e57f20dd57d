package org.mipfed.core.problem;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestProblemType {
    @Test
    void everyTypeHasAUniqueCodeAnErrorStatusAndAUrnType() {
        assertThat(Arrays.stream(ProblemType.values()).map(ProblemType::code)).doesNotHaveDuplicates()
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
        assertThat(refusal.withDetail("In fold 1: " + refusal.detail()).extensions()).isEqualTo(refusal.extensions());
    }

    @Test
    void aBareStatusFromElsewhereMapsToTheClosestType() {
        assertThat(ProblemType.forStatus(404)).isEqualTo(ProblemType.NOT_FOUND);
        assertThat(ProblemType.forStatus(418)).isEqualTo(ProblemType.INVALID_REQUEST);
        assertThat(ProblemType.forStatus(599)).isEqualTo(ProblemType.INTERNAL_ERROR);
        assertThat(ProblemType.fromCode("no_such_code")).isEmpty();
    }
}
