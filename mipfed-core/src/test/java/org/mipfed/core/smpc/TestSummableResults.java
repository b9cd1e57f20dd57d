package org.mipfed.core.smpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

class TestSummableResults {
    private static final PrimitiveQuery QUERY = PrimitiveQuery.newBuilder()
            .setGlmStep(GlmStepQuery.newBuilder().setIntercept(true).addColumns(GlmColumn.newBuilder().setVariable("age")))
            .build();

    private static PrimitiveResult step(long n, double scale) {
        GlmStepResult.Builder g = GlmStepResult.newBuilder().setN(n).setInvalid(0).setBoundary(1)
                .setDeviance(123.456 * scale).setLogLikelihood(-61.728 * scale).setSumY(n / 3);
        for (double v : new double[] {n * 0.25, 17.5 * scale, 17.5 * scale, 1234.125 * scale}) {
            g.addInformation(v);
        }
        g.addScore(0.00123 * scale).addScore(-0.0456 * scale).addWorking(-3.25 * scale).addWorking(210.5 * scale);
        return PrimitiveResult.newBuilder().setRowsUsed(n).setGlmStep(g).build();
    }

    @Test
    void maskedGlmStepsSumToThePlainSumToOneInABillion() throws Exception {
        List<PrimitiveResult> answers = List.of(step(120, 1.0), step(75, 0.7), step(301, 2.3));
        TestFederation fed = new TestFederation("node-a", "node-b", "node-c");
        TestFederation.Session session = fed.new Session("req-glm");
        MaskedSum sum = new MaskedSum("req-glm", SummableResults.length(QUERY));
        double[] plain = new double[SummableResults.length(QUERY)];
        for (int k = 0; k < 3; k++) {
            double[] flat = SummableResults.flatten(QUERY, answers.get(k));
            sum.add(fed.members.get(k).id(), session.mask(fed.members.get(k).id(), flat));
            for (int i = 0; i < flat.length; i++) {
                plain[i] += flat[i];
            }
        }
        PrimitiveResult total = SummableResults.unflatten(QUERY, sum.decode());
        assertThat(total.getRowsUsed()).isEqualTo(496);
        assertThat(total.getGlmStep().getN()).isEqualTo(496);
        assertThat(total.getGlmStep().getBoundary()).isEqualTo(3);
        TestMaskedSum.assertRelativelyEqual(SummableResults.flatten(QUERY, total), plain);
    }

    @Test
    void onlyGlmStepsAreSummable() {
        PrimitiveQuery crossProducts = PrimitiveQuery.newBuilder().setCrossProducts(CrossProductsQuery.getDefaultInstance()).build();
        assertThat(SummableResults.summable(QUERY)).isTrue();
        assertThat(SummableResults.summable(crossProducts)).isFalse();
        assertThatThrownBy(() -> SummableResults.length(crossProducts)).hasMessageContaining("cannot sum the primitive CROSS_PRODUCTS");
        assertThatThrownBy(() -> SummableResults.unflatten(QUERY, new double[3])).hasMessageContaining("not 3");
    }
}
