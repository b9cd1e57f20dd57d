package org.mipfed.algorithms.crossvalidation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;

class TestCrossValidation {
    /** A node's refusal met while fitting a fold still reaches the client as the node's refusal, its rule a field. */
    @Test
    void aRefusalInAFoldKeepsItsTypeAndFields() {
        Problem refusal = Problem.refusedByNode("node2", "min_rows", "Too few rows");
        Problem inFold = new CrossValidation(4).inFold(1, refusal);
        assertThat(inFold.type()).isEqualTo(ProblemType.REFUSED_BY_NODE);
        assertThat(inFold.extensions()).isEqualTo(Map.of("node", "node2", "rule", "min_rows"));
        assertThat(inFold.detail()).isEqualTo("In fold 2 of 4 (fitted on the other folds): Too few rows");
    }

    @Test
    void metricsAreZeroWhereUndefined() {
        ClassificationMetrics none = new ConfusionCounts(0, 0, 5, 3).metrics();
        assertThat(none.precision()).isZero();
        assertThat(none.recall()).isZero();
        assertThat(none.fscore()).isZero();
        assertThat(none.accuracy()).isEqualTo(5.0 / 8);
        ClassificationMetrics some = new ConfusionCounts(3, 1, 4, 2).metrics();
        assertThat(some.precision()).isEqualTo(0.75);
        assertThat(some.recall()).isEqualTo(0.6);
        assertThat(some.fscore()).isEqualTo(2 * 0.75 * 0.6 / (0.75 + 0.6));
    }
}
