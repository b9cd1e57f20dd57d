package org.mipfed.algorithms.ttest;

import java.util.List;
import org.mipfed.algorithms.moments.GroupedMoments;
import org.mipfed.algorithms.numerics.Moments;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.LevelSelection;
import org.mipfed.proto.v1.MomentsQuery;

/**
 * Exareme2's {@code ttest_independent}: the difference of the means of y between two levels (groups
 * A and B) of the nominal x, from the pooled moments of y in each group; the nodes look only at the
 * rows of those two levels.
 *
 * <p>What Exareme2's validation expects is Welch's test (R's {@code t.test} default): the standard
 * error sqrt(s_A²/n_A + s_B²/n_B), and the p-value and interval on the Welch–Satterthwaite degrees of
 * freedom, reported as {@code welch_df}. Exareme2 itself evaluates that statistic on n_A + n_B - 2
 * degrees of freedom, which its tests tolerate only with a p-value slack of 1e-3 (and one case
 * skipped); here {@code df} keeps Exareme2's n_A + n_B - 2 for compatibility, while {@code p} is
 * the Welch p-value. Cohen's d uses the pooled standard deviation.
 */
public final class IndependentTTest extends SpecifiedAlgorithm {
    public static final String NAME = "ttest_independent";

    public IndependentTTest() {
        super(NAME);
    }

    @Override
    public IndependentTTestResult run(AnalysisInput input, FederationContext federation) {
        String y = TTests.single(NAME, "y", input.y());
        String x = TTests.single(NAME, "x", input.x());
        Alternative alternative =
                Alternative.of(input.parameters().path("alt_hypothesis").asText("two-sided"));
        double alpha = input.parameters().path("alpha").asDouble(0.05);
        String groupA = input.parameters().path("groupA").asText("");
        String groupB = input.parameters().path("groupB").asText("");
        if (groupA.isEmpty() || groupB.isEmpty()) {
            throw Problem.badRequest(
                    NAME + " needs two levels of '" + x + "' to compare: the parameters groupA and groupB");
        }
        if (groupA.equals(groupB)) {
            throw Problem.badRequest(
                    "groupA and groupB are both '" + groupA + "'; choose two different levels of '" + x + "'");
        }
        GroupedMoments pooled = GroupedMoments.compute(
                federation,
                MomentsQuery.newBuilder()
                        .addNumerical(y)
                        .addGroupBy(x)
                        .addOnlyLevels(LevelSelection.newBuilder()
                                .setVariable(x)
                                .addLevels(groupA)
                                .addLevels(groupB))
                        .build());
        Moments a = moments(pooled, groupA);
        Moments b = moments(pooled, groupB);
        for (String group : List.of(groupA, groupB)) {
            long n = (group.equals(groupA) ? a : b).n();
            if (n < 2) {
                throw Problem.notEnoughData("Not enough data in " + group + ": " + n + " row" + (n == 1 ? "" : "s")
                        + " with a value for '" + y + "' where " + x + " = " + group
                        + " (at least 2 are needed). Please select a group with more data");
            }
        }
        double varianceA = a.m2() / (a.n() - 1);
        double varianceB = b.m2() / (b.n() - 1);
        double se2A = varianceA / a.n();
        double se2B = varianceB / b.n();
        double se = Math.sqrt(se2A + se2B);
        if (!(se > 0)) {
            throw Problem.badRequest("'" + y + "' has a single value in each of " + groupA + " and " + groupB
                    + ", so no t statistic exists");
        }
        double welchDf = (se2A + se2B) * (se2A + se2B) / (se2A * se2A / (a.n() - 1) + se2B * se2B / (b.n() - 1));
        TTest test = TTest.of(a.mean() - b.mean(), 0, se, welchDf, alternative, alpha);
        long df = a.n() + b.n() - 2;
        double pooledSd = Math.sqrt((a.m2() + b.m2()) / df);
        return new IndependentTTestResult(
                a.n() + b.n(),
                test.t(),
                df,
                welchDf,
                test.p(),
                test.estimate(),
                se,
                test.ciLower(),
                test.ciUpper(),
                test.estimate() / pooledSd);
    }

    private static Moments moments(GroupedMoments pooled, String level) {
        GroupedMoments.Group group = pooled.groups().get(List.of(level));
        return group == null ? Moments.EMPTY : group.moments(0);
    }
}
