package org.mipfed.algorithms.ttest;

import org.mipfed.algorithms.moments.GroupedMoments;
import org.mipfed.algorithms.numerics.Moments;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.MomentsDifference;
import org.mipfed.proto.v1.MomentsQuery;

/**
 * Exareme2's {@code ttest_paired}: Student's t-test of the mean of the row-wise differences x - y
 * against 0, over the rows with both values. The nodes return the moments of x, of y and of x - y
 * itself (computed per row), so the variance of the differences needs no subtraction of large sums.
 *
 * <p>Cohen's d is Exareme2's: the mean difference over the root mean of the two variances.
 */
public final class PairedTTest extends SpecifiedAlgorithm {
    public static final String NAME = "ttest_paired";

    public PairedTTest() {
        super(NAME);
    }

    @Override
    public PairedTTestResult run(AnalysisInput input, FederationContext federation) {
        String y = TTests.single(NAME, "y", input.y());
        String x = TTests.single(NAME, "x", input.x());
        if (x.equals(y)) {
            throw Problem.badRequest(NAME + " compares two different variables; '" + x + "' is both x and y");
        }
        Alternative alternative =
                Alternative.of(input.parameters().path("alt_hypothesis").asText("two-sided"));
        double alpha = input.parameters().path("alpha").asDouble(0.05);
        GroupedMoments pooled = GroupedMoments.compute(
                federation,
                MomentsQuery.newBuilder()
                        .addNumerical(x)
                        .addNumerical(y)
                        .addDifferences(
                                MomentsDifference.newBuilder().setMinuend(x).setSubtrahend(y))
                        .build());
        Moments first = pooled.total(0);
        Moments second = pooled.total(1);
        Moments difference = pooled.total(2);
        long n = difference.n();
        TTests.checkRows(NAME, n, 2, x + " and " + y, input);
        double sd = difference.sampleStd();
        TTests.checkSpread(sd, x + " - " + y, n);
        TTest test = TTest.of(difference.mean(), 0, sd / Math.sqrt(n), n - 1, alternative, alpha);
        double sdFirst = first.sampleStd();
        double sdSecond = second.sampleStd();
        double cohensD = difference.mean() / Math.sqrt((sdFirst * sdFirst + sdSecond * sdSecond) / 2);
        return new PairedTTestResult(
                n, test.t(), n - 1, test.p(), difference.mean(), test.se(), test.ciLower(), test.ciUpper(), cohensD);
    }
}
