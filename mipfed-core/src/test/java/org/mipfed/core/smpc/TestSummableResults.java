package org.mipfed.core.smpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.LevelsResult;
import org.mipfed.proto.v1.MomentsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableLevels;

class TestSummableResults {
    static final DataModel MODEL = DataModel.parse("""
            {"code": "demo", "version": "1", "label": "demo", "variables": [
              {"code": "dataset", "label": "Dataset", "sql_type": "text", "isCategorical": true,
               "enumerations": [{"code": "a", "label": "a"}, {"code": "b", "label": "b"}]},
              {"code": "gender", "label": "Gender", "sql_type": "text", "isCategorical": true,
               "enumerations": [{"code": "F", "label": "F"}, {"code": "M", "label": "M"}, {"code": "X", "label": "X"}]},
              {"code": "age", "label": "Age", "sql_type": "real", "isCategorical": false}]}
            """);
    private static final PrimitiveQuery QUERY = PrimitiveQuery.newBuilder()
            .setGlmStep(GlmStepQuery.newBuilder()
                    .setIntercept(true)
                    .addColumns(GlmColumn.newBuilder().setVariable("age")))
            .build();

    private static PrimitiveResult step(long n, double scale) {
        GlmStepResult.Builder g = GlmStepResult.newBuilder()
                .setN(n)
                .setInvalid(0)
                .setBoundary(1)
                .setDeviance(123.456 * scale)
                .setLogLikelihood(-61.728 * scale)
                .setSumY(n / 3);
        for (double v : new double[] {n * 0.25, 17.5 * scale, 17.5 * scale, 1234.125 * scale}) {
            g.addInformation(v);
        }
        g.addScore(0.00123 * scale)
                .addScore(-0.0456 * scale)
                .addWorking(-3.25 * scale)
                .addWorking(210.5 * scale);
        return PrimitiveResult.newBuilder().setRowsUsed(n).setGlmStep(g).build();
    }

    @Test
    void maskedGlmStepsSumToThePlainSumToOneInABillion() throws Exception {
        List<PrimitiveResult> answers = List.of(step(120, 1.0), step(75, 0.7), step(301, 2.3));
        TestFederation fed = new TestFederation("node-a", "node-b", "node-c");
        TestFederation.Session session = fed.new Session("req-glm");
        MaskedSum sum = new MaskedSum("req-glm", SummableResults.length(MODEL, QUERY));
        double[] plain = new double[SummableResults.length(MODEL, QUERY)];
        for (int k = 0; k < 3; k++) {
            double[] flat = SummableResults.flatten(MODEL, QUERY, answers.get(k));
            sum.add(fed.members.get(k).id(), session.mask(fed.members.get(k).id(), flat));
            for (int i = 0; i < flat.length; i++) {
                plain[i] += flat[i];
            }
        }
        PrimitiveResult total = SummableResults.unflatten(MODEL, QUERY, sum.decode());
        assertThat(total.getRowsUsed()).isEqualTo(496);
        assertThat(total.getGlmStep().getN()).isEqualTo(496);
        assertThat(total.getGlmStep().getBoundary()).isEqualTo(3);
        TestMaskedSum.assertRelativelyEqual(SummableResults.flatten(MODEL, QUERY, total), plain);
    }

    @Test
    void crossProductsTravelRawAndComeBackCentredOnThePooledMeans() {
        PrimitiveQuery query = PrimitiveQuery.newBuilder()
                .setCrossProducts(CrossProductsQuery.newBuilder()
                        .addColumns(DesignColumn.newBuilder().setVariable("age"))
                        .addColumns(DesignColumn.newBuilder().setVariable("weight")))
                .build();
        double[][][] rows = {
            {{71, 60.5}, {80, 72.25}, {66.5, 58}},
            {{90, 81}, {59.25, 55.5}},
            {{77, 70}, {68, 62}, {73.5, 66}, {85, 79}},
        };
        double[] total = new double[SummableResults.length(MODEL, query)];
        List<double[]> all = new java.util.ArrayList<>();
        for (double[][] node : rows) {
            double[] flat = SummableResults.flatten(MODEL, query, centred(node));
            for (int i = 0; i < flat.length; i++) {
                total[i] += flat[i];
            }
            all.addAll(List.of(node));
        }
        CrossProductsResult pooled =
                SummableResults.unflatten(MODEL, query, total).getCrossProducts();
        CrossProductsResult expected = centred(all.toArray(double[][]::new)).getCrossProducts();
        assertThat(pooled.getN()).isEqualTo(9);
        for (int i = 0; i < 2; i++) {
            assertThat(pooled.getMeans(i)).isCloseTo(expected.getMeans(i), within(1e-12));
        }
        for (int i = 0; i < 4; i++) {
            assertThat(pooled.getComoments(i))
                    .isCloseTo(expected.getComoments(i), within(1e-9 * Math.abs(expected.getComoments(i))));
        }
    }

    private static PrimitiveResult centred(double[][] rows) {
        int n = rows.length;
        double[] mean = new double[2];
        for (double[] r : rows) {
            mean[0] += r[0] / n;
            mean[1] += r[1] / n;
        }
        CrossProductsResult.Builder c =
                CrossProductsResult.newBuilder().setN(n).addMeans(mean[0]).addMeans(mean[1]);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                double s = 0;
                for (double[] r : rows) {
                    s += (r[i] - mean[i]) * (r[j] - mean[j]);
                }
                c.addComoments(s);
            }
        }
        return PrimitiveResult.newBuilder().setRowsUsed(n).setCrossProducts(c).build();
    }

    @Test
    void levelsTravelAsPresenceFlagsOverTheModelsEnumerations() {
        PrimitiveQuery query = PrimitiveQuery.newBuilder()
                .setLevels(LevelsQuery.newBuilder().addNominal("gender"))
                .build();
        assertThat(SummableResults.length(MODEL, query)).isEqualTo(4);
        PrimitiveResult a = PrimitiveResult.newBuilder()
                .setRowsUsed(12)
                .setLevels(LevelsResult.newBuilder()
                        .addVariables(VariableLevels.newBuilder()
                                .setVariable("gender")
                                .addLevels("M")))
                .build();
        PrimitiveResult b = PrimitiveResult.newBuilder()
                .setRowsUsed(30)
                .setLevels(LevelsResult.newBuilder()
                        .addVariables(VariableLevels.newBuilder()
                                .setVariable("gender")
                                .addLevels("F")
                                .addLevels("M")))
                .build();
        assertThat(SummableResults.flatten(MODEL, query, a)).containsExactly(12, 0, 1, 0);
        double[] sum = new double[4];
        for (PrimitiveResult r : List.of(a, b)) {
            double[] flat = SummableResults.flatten(MODEL, query, r);
            for (int i = 0; i < 4; i++) {
                sum[i] += flat[i];
            }
        }
        PrimitiveResult union = SummableResults.unflatten(MODEL, query, sum);
        assertThat(union.getRowsUsed()).isEqualTo(42);
        assertThat(union.getLevels().getVariables(0).getLevelsList()).containsExactly("F", "M");
        PrimitiveResult unknown = PrimitiveResult.newBuilder()
                .setLevels(LevelsResult.newBuilder()
                        .addVariables(VariableLevels.newBuilder()
                                .setVariable("gender")
                                .addLevels("Q")))
                .build();
        assertThatThrownBy(() -> SummableResults.flatten(MODEL, query, unknown))
                .hasMessageContaining("does not enumerate: [Q]");
    }

    @Test
    void onlyGlmStepsCrossProductsAndLevelsAreSummable() {
        PrimitiveQuery moments = PrimitiveQuery.newBuilder()
                .setMoments(MomentsQuery.getDefaultInstance())
                .build();
        assertThat(SummableResults.summable(QUERY)).isTrue();
        assertThat(SummableResults.summable(moments)).isFalse();
        assertThatThrownBy(() -> SummableResults.length(MODEL, moments))
                .hasMessageContaining("cannot sum the primitive MOMENTS");
        assertThatThrownBy(() -> SummableResults.unflatten(MODEL, QUERY, new double[3]))
                .hasMessageContaining("not 3");
    }
}
