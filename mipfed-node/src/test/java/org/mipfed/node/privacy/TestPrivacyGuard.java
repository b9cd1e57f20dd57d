package org.mipfed.node.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.proto.v1.NumericalSummary;
import org.mipfed.proto.v1.VariableSummary;
import org.roaringbitmap.RoaringBitmap;

class TestPrivacyGuard {
    private final PrivacyGuard guard = new PrivacyGuard(PrivacyPolicy.DEFAULT);

    @Test
    void policyDefaultsAreDataShieldLikeAndRefuseNonsense() {
        PrivacyPolicy policy = PrivacyPolicy.DEFAULT;
        assertThat(policy.minRows()).isEqualTo(10);
        assertThat(policy.minCellCount()).isEqualTo(3);
        assertThat(policy.maxParameterRatio()).isEqualTo(0.33);
        assertThat(policy.maxLevels()).isEqualTo(40);
        assertThat(policy.allowedPrimitives()).isNull();
        assertThat(policy.releaseExtremes()).isTrue();
        assertThat(policy.differencingHistory()).isEqualTo(10_000);
        assertThat(PrivacyPolicy.DEFAULT.withMinRows(3).toProto().getMinRows()).isEqualTo(3);
        assertThatThrownBy(() -> PrivacyPolicy.DEFAULT.withMinRows(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The minimum number of rows must be at least 1, not 0");
        assertThatThrownBy(() -> PrivacyPolicy.of(null, 0, null, null, null, null, null))
                .hasMessageContaining("min_cell_count");
        assertThatThrownBy(() -> PrivacyPolicy.of(null, null, -0.1, null, null, null, null))
                .hasMessageContaining("max_parameter_ratio");
        assertThatThrownBy(() -> PrivacyPolicy.of(null, null, Double.NaN, null, null, null, null))
                .hasMessageContaining("max_parameter_ratio");
        assertThatThrownBy(() -> PrivacyPolicy.of(null, null, null, -1, null, null, null))
                .hasMessageContaining("max_levels");
        assertThatThrownBy(() -> PrivacyPolicy.of(null, null, null, null, null, null, -1))
                .hasMessageContaining("differencing_history");
    }

    @Test
    void policyReadsFromNodeJsonWithDefaultsForWhatIsLeftOut() throws Exception {
        PrivacyPolicy partial = Json.mapper()
                .readValue(
                        "{\"min_rows\": 5, \"allowed_primitives\": [\"Describe\", \"levels\"], "
                                + "\"release_extremes\": false}",
                        PrivacyPolicy.class);
        assertThat(partial).isEqualTo(new PrivacyPolicy(5, 3, 0.33, 40, List.of("describe", "levels"), false, 10_000));
        assertThat(partial.allows("describe")).isTrue();
        assertThat(partial.allows("histogram")).isFalse();
        assertThat(Json.mapper().readValue("{}", PrivacyPolicy.class)).isEqualTo(PrivacyPolicy.DEFAULT);
        String written = Json.mapper().writeValueAsString(PrivacyPolicy.DEFAULT);
        assertThat(written)
                .contains(
                        "\"min_rows\":10",
                        "\"min_cell_count\":3",
                        "\"max_parameter_ratio\":0.33",
                        "\"max_levels\":40",
                        "\"allowed_primitives\":null",
                        "\"release_extremes\":true",
                        "\"differencing_history\":10000");
        assertThat(Json.mapper().readValue(written, PrivacyPolicy.class)).isEqualTo(PrivacyPolicy.DEFAULT);
        assertThat(partial.toProto().getAllowedPrimitivesList()).containsExactly("describe", "levels");
        assertThat(partial.toProto().getAllPrimitivesAllowed()).isFalse();
        assertThat(PrivacyPolicy.DEFAULT.toProto().getAllPrimitivesAllowed()).isTrue();
    }

    @Test
    void suppressesSummariesOfTooFewRowsOrValues() {
        VariableSummary summary = VariableSummary.newBuilder()
                .setVariable("x")
                .setDataset("d")
                .setNumTotal(12)
                .setNumDtps(10)
                .setNumNa(2)
                .setNumerical(NumericalSummary.newBuilder().setMean(1).setMin(0).setMax(2))
                .build();
        assertThat(guard.guard(summary)).isSameAs(summary);
        VariableSummary suppressed = VariableSummary.newBuilder()
                .setVariable("x")
                .setDataset("d")
                .setSuppressed(true)
                .build();
        assertThat(guard.guard(summary.toBuilder().setNumDtps(9).setNumNa(3).build()))
                .isEqualTo(suppressed);
        assertThat(guard.guard(summary.toBuilder().setNumTotal(9).build())).isEqualTo(suppressed);
        assertThat(guard.guard(
                        summary.toBuilder().putCounts("M", 1).setNumTotal(5).build()))
                .isEqualTo(suppressed);
    }

    @Test
    void suppressesANominalSummaryWithASmallLevelCountWhole() {
        VariableSummary nominal = VariableSummary.newBuilder()
                .setVariable("g")
                .setDataset("d")
                .setNumTotal(20)
                .setNumDtps(20)
                .putCounts("F", 17)
                .putCounts("M", 3)
                .build();
        assertThat(guard.guard(nominal)).isSameAs(nominal);
        // Withholding only the 2 would not hide it: 20 - 18 gives it back.
        assertThat(guard.guard(nominal.toBuilder()
                                .putCounts("F", 18)
                                .putCounts("M", 2)
                                .build())
                        .getSuppressed())
                .isTrue();
    }

    @Test
    void withoutExtremesKeepsMomentsButNotMinimaMaximaOrQuartiles() {
        PrivacyGuard keeping = new PrivacyGuard(PrivacyPolicy.of(null, null, null, null, null, false, null));
        VariableSummary summary = VariableSummary.newBuilder()
                .setVariable("x")
                .setDataset("d")
                .setNumTotal(12)
                .setNumDtps(12)
                .setNumerical(NumericalSummary.newBuilder()
                        .setMean(1)
                        .setM2(4)
                        .setMin(0)
                        .setMax(2)
                        .setQ1(.5)
                        .setQ2(1)
                        .setQ3(1.5))
                .build();
        NumericalSummary kept = keeping.guard(summary).getNumerical();
        assertThat(kept.getMean()).isEqualTo(1);
        assertThat(kept.getM2()).isEqualTo(4);
        assertThat(List.of(kept.getMin(), kept.getMax(), kept.getQ1(), kept.getQ2(), kept.getQ3()))
                .allMatch(d -> d.isNaN());
        assertThat(keeping.checkExtremes("a histogram without edges")).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("release_extremes");
            assertThat(v.message()).contains("a histogram without edges needs them");
        });
        assertThat(guard.checkExtremes("anything")).isEmpty();
    }

    @Test
    void allowsNoRowsOrEnoughRowsOnly() {
        assertThat(guard.checkRows(0, "rows")).isEmpty();
        assertThat(guard.checkRows(10, "rows")).isEmpty();
        assertThat(guard.checkRows(9, "x")).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("min_rows");
            assertThat(v.message())
                    .isEqualTo(
                            "Too few rows on this node for its privacy policy (rule min_rows: every figure must rest on "
                                    + "at least 10 rows; here, the rows complete in x). Widen the filters, choose variables with fewer missing values, or "
                                    + "leave this node's datasets out");
        });
        assertThat(new PrivacyGuard(PrivacyPolicy.minRowsOnly(1)).checkRows(1, "rows"))
                .isEmpty();
    }

    @Test
    void countsParametersLevelsAndPrimitives() {
        assertThat(guard.checkCount(0, "rows")).isEmpty();
        assertThat(guard.checkCount(3, "rows")).isEmpty();
        assertThat(guard.checkCount(2, "gender")).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("min_cell_count");
            assertThat(v.message())
                    .startsWith("The answer would reveal a count below this node's minimum (rule min_cell_count: no "
                            + "released count between zero and 3) among the counts of gender");
        });
        assertThat(guard.checkParameters(3, 10)).isEmpty();
        assertThat(guard.checkParameters(4, 10)).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("max_parameter_ratio");
            assertThat(v.message())
                    .startsWith(
                            "The model has too many parameters for the rows of this node (rule max_parameter_ratio: "
                                    + "at most 0.33 parameters per row")
                    .doesNotContain(" 4 ")
                    .doesNotContain(" 10 rows");
        });
        assertThat(new PrivacyGuard(PrivacyPolicy.minRowsOnly(1)).checkParameters(50, 10))
                .isEmpty();
        assertThat(guard.checkLevels("dataset", 40)).isEmpty();
        assertThat(guard.checkLevels("subject", 41))
                .hasValueSatisfying(v -> assertThat(v.rule()).isEqualTo("max_levels"));
        PrivacyGuard narrow =
                new PrivacyGuard(PrivacyPolicy.of(null, null, null, null, List.of("describe"), null, null));
        assertThat(narrow.checkPrimitive("describe")).isEmpty();
        assertThat(narrow.checkPrimitive("glm_step")).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("allowed_primitives");
            assertThat(v.message())
                    .startsWith("This node does not compute glm_step: its privacy policy allows only describe");
        });
    }

    @Test
    void complementRuleRefusesSelectionsOfOrLeavingOutAFewRows() {
        assertThat(guard.checkSelection("m", rows(0, 0), 100)).isEmpty();
        // Fewer than the minimum: every primitive refuses or suppresses it, so it is neither refused nor remembered
        // here.
        assertThat(guard.checkSelection("m", rows(0, 9), 100)).isEmpty();
        assertThat(guard.checkSelection("m", rows(0, 12), 100)).isEmpty();
        assertThat(guard.checkSelection("m", rows(0, 91), 100)).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("differencing");
            assertThat(v.message())
                    .isEqualTo(PrivacyRefusals.selection(PrivacyPolicy.DEFAULT).message());
        });
        assertThat(guard.checkSelection("m", rows(0, 100), 100)).isEmpty();
        assertThat(guard.checkSelection("m", rows(0, 90), 100))
                .as("within the minimum of a refused selection")
                .isPresent();
        assertThat(guard.checkSelection("m", rows(0, 80), 100)).isEmpty();
    }

    @Test
    void historyRefusesASelectionCloseToAnEarlierOneOfTheSameDataModel() {
        assertThat(guard.checkSelection("m", rows(0, 50), 1000)).isEmpty();
        assertThat(guard.checkSelection("m", rows(0, 50), 1000))
                .as("the same rows again")
                .isEmpty();
        RoaringBitmap plusOne = rows(0, 50);
        plusOne.add(700);
        assertThat(guard.checkSelection("m", plusOne, 1000)).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("differencing");
            assertThat(v.message())
                    .isEqualTo(PrivacyRefusals.selection(PrivacyPolicy.DEFAULT).message());
        });
        RoaringBitmap swapped = rows(5, 55);
        assertThat(guard.checkSelection("m", swapped, 1000))
                .as("same size, 10 rows apart")
                .isEmpty();
        assertThat(guard.checkSelection("other", plusOne, 1000))
                .as("another data model")
                .isEmpty();
        PrivacyGuard forgetful = new PrivacyGuard(PrivacyPolicy.of(null, null, null, null, null, null, 0));
        assertThat(forgetful.checkSelection("m", rows(0, 50), 1000)).isEmpty();
        assertThat(forgetful.checkSelection("m", plusOne, 1000)).isEmpty();
    }

    @Test
    void historyForgetsTheOldestSelectionBeyondItsCapacity() {
        PrivacyGuard small = new PrivacyGuard(PrivacyPolicy.of(null, null, null, null, null, null, 2));
        assertThat(small.checkSelection("m", rows(0, 50), 1000)).isEmpty();
        assertThat(small.checkSelection("m", rows(100, 200), 1000)).isEmpty();
        assertThat(small.checkSelection("m", rows(300, 400), 1000)).isEmpty();
        assertThat(small.checkSelection("m", rows(0, 51), 1000))
                .as("the first selection was forgotten")
                .isEmpty();
        assertThat(small.checkSelection("m", rows(300, 401), 1000))
                .as("the third is remembered")
                .isPresent();
    }

    @Test
    void aHistoryKeptInAFileOutlivesARestartAndACutOffRecord(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("privacy-history.bin");
        PrivacyGuard before = new PrivacyGuard(PrivacyPolicy.DEFAULT, file);
        assertThat(before.checkSelection("m", rows(0, 50), 1000)).isEmpty();
        assertThat(before.checkSelection("m", rows(200, 300), 1000)).isEmpty();
        RoaringBitmap plusOne = rows(0, 50);
        plusOne.add(700);

        PrivacyGuard restarted = new PrivacyGuard(PrivacyPolicy.DEFAULT, file);
        assertThat(restarted.checkSelection("m", plusOne, 1000))
                .as("remembered across a restart")
                .hasValueSatisfying(v -> assertThat(v.rule()).isEqualTo("differencing"));

        // A crash in the middle of a record: the records before it still count.
        Files.write(file, new byte[] {0, 1, 'm', 0, 0, 1}, java.nio.file.StandardOpenOption.APPEND);
        PrivacyGuard afterCrash = new PrivacyGuard(PrivacyPolicy.DEFAULT, file);
        assertThat(afterCrash.checkSelection("m", plusOne, 1000)).isPresent();
        RoaringBitmap nearSecond = rows(200, 300);
        nearSecond.remove(250);
        assertThat(afterCrash.checkSelection("m", nearSecond, 1000)).isPresent();
    }

    @Test
    void aHistoryFileIsRewrittenWithWhatIsRememberedSoItStaysBounded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("privacy-history.bin");
        PrivacyGuard small = new PrivacyGuard(PrivacyPolicy.of(null, null, null, null, null, null, 2), file);
        for (int i = 0; i < 50; i++) {
            assertThat(small.checkSelection("m", rows(i * 100, i * 100 + 50), 10_000))
                    .isEmpty();
        }
        RoaringBitmap one = rows(0, 50);
        one.runOptimize();
        long record = 2 + 1 + 4 + one.serializedSizeInBytes(); // "m", the length, the bitmap
        assertThat(Files.size(file)).as("at most twice the capacity of records").isLessThanOrEqualTo(4 * record);
        PrivacyGuard restarted = new PrivacyGuard(PrivacyPolicy.of(null, null, null, null, null, null, 2), file);
        assertThat(restarted.checkSelection("m", rows(4900, 4951), 10_000))
                .as("the newest is remembered")
                .isPresent();
        assertThat(restarted.checkSelection("m", rows(0, 51), 10_000))
                .as("the oldest was dropped")
                .isEmpty();
    }

    @Test
    void figureRowsOfOneAnswerDifferingByAFewRowsAreNotBothKept() {
        RoaringBitmap all = rows(0, 60);
        RoaringBitmap allButOne = rows(1, 60);
        BitSet withheld = guard.checkFigureRows(
                "m",
                List.of(
                        FigureRows.values("x", all),
                        FigureRows.values("x", allButOne),
                        FigureRows.values("y", allButOne),
                        FigureRows.values("x", rows(30, 60))));
        assertThat(withheld.stream().boxed().toList())
                .as("x over one row fewer; y is another variable; 30 rows apart is far enough")
                .containsExactly(1);
    }

    @Test
    void figureRowsCloseToThoseOfAnEarlierAnswerAreWithheldAndOnlyKeptOnesAreRemembered() {
        assertThat(guard.checkFigureRows("m", List.of(FigureRows.values("x", rows(0, 60))))
                        .isEmpty())
                .isTrue();
        assertThat(guard.checkFigureRows("m", List.of(FigureRows.values("x", rows(0, 55))))
                        .get(0))
                .as("5 rows from an earlier answer")
                .isTrue();
        assertThat(guard.checkFigureRows("m", List.of(FigureRows.values("x", rows(0, 50))))
                        .isEmpty())
                .as("10 rows away; 55 was never kept")
                .isTrue();
        assertThat(guard.checkFigureRows("m", List.of(FigureRows.values("x", rows(0, 60))))
                        .isEmpty())
                .as("the same rows again")
                .isTrue();
        assertThat(guard.checkFigureRows("other", List.of(FigureRows.values("x", rows(0, 59))))
                        .isEmpty())
                .as("another data model")
                .isTrue();
        assertThat(guard.checkSelection("m", rows(0, 59), 1000))
                .as("figures and selections are kept apart")
                .isEmpty();
        PrivacyGuard exareme2 = new PrivacyGuard(PrivacyPolicy.minRowsOnly(1));
        assertThat(exareme2.checkFigureRows(
                                "m", List.of(FigureRows.values("x", rows(0, 60)), FigureRows.values("x", rows(0, 59))))
                        .isEmpty())
                .as("a minimum of one row allows any difference")
                .isTrue();
    }

    @Test
    void cellsMayDifferByTheMinimumCellCount() {
        BitSet withheld = guard.checkFigureRows(
                "m",
                List.of(
                        FigureRows.cell("x", rows(0, 15)),
                        FigureRows.cell("x", rows(0, 13)),
                        FigureRows.cell("x", rows(100, 112)),
                        FigureRows.cell("x", rows(100, 109))));
        assertThat(withheld.stream().boxed().toList())
                .as("2 rows apart: withheld; 3 rows apart: kept")
                .containsExactly(1);
        assertThat(guard.checkFigureRows("m", List.of(FigureRows.values("x", rows(100, 111))))
                        .get(0))
                .as("a sum is held to the minimum of rows against a cell")
                .isTrue();
    }

    @Test
    void secondarySuppressionLeavesNoSumWithASingleWithheldCount() {
        // total: AD 15, CN 30, MCI 15; M: 13, 15, 10; F: 2, 15, 5 — F's AD is withheld (2 < 3)
        long[] counts = {15, 30, 15, 13, 15, 10, 2, 15, 5};
        boolean[] withheld = new boolean[counts.length];
        withheld[6] = true;
        List<int[]> constraints = List.of(
                new int[] {0, 1, 2},
                new int[] {3, 4, 5},
                new int[] {6, 7, 8},
                new int[] {0, 3, 6},
                new int[] {1, 4, 7},
                new int[] {2, 5, 8});
        guard.suppressSecondary(counts, withheld, constraints);
        for (int[] constraint : constraints) {
            long hidden =
                    java.util.Arrays.stream(constraint).filter(c -> withheld[c]).count();
            assertThat(hidden).as(java.util.Arrays.toString(constraint)).isNotEqualTo(1);
        }
        assertThat(withheld[0] || withheld[3]).as("AD's total or AD of M").isTrue();
        assertThat(withheld[1] && withheld[4] && withheld[7])
                .as("CN needs nothing withheld in every cell")
                .isFalse();

        // two small cells of one bin (2 + 2) under a released total of 4 would both be known: the total goes too
        long[] small = {4, 2, 2, 0};
        boolean[] hidden = {false, true, true, false};
        guard.suppressSecondary(small, hidden, List.of(new int[] {0, 1, 2, 3}));
        assertThat(hidden[0]).isTrue();
    }

    @Test
    void aFigureDifferencingRefusalStatesTheRuleAndThePolicyOnly() {
        PrivacyViolation violation = guard.figureDifferencing();
        assertThat(violation.rule()).isEqualTo("differencing");
        // one text with the refusal of a selection: which of the two it was would be a bit about the rows
        assertThat(violation).isEqualTo(PrivacyRefusals.selection(guard.policy()));
        assertThat(violation.message().replace("10", "")).doesNotContainPattern("[0-9]");
    }

    private static RoaringBitmap rows(int from, int to) {
        RoaringBitmap bitmap = new RoaringBitmap();
        IntStream.range(from, to).forEach(bitmap::add);
        return bitmap;
    }
}
