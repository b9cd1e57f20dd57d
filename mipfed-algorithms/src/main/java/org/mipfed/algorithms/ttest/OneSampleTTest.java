package org.mipfed.algorithms.ttest;

import org.mipfed.algorithms.moments.GroupedMoments;
import org.mipfed.algorithms.numerics.Moments;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.proto.v1.MomentsQuery;

/**
 * Exareme2's {@code ttest_onesample}: Student's one-sample t-test of the mean of y against the
 * population mean {@code mu}, from the pooled count, mean and centred sum of squares of y.
 *
 * <p>As in Exareme2, {@code mean_diff} is the sample mean itself (R's "mean of x"). Cohen's d is
 * (mean - mu) / sd, positive when the mean exceeds mu; Exareme2 reports it with the opposite sign.
 */
public final class OneSampleTTest extends SpecifiedAlgorithm {
    public static final String NAME = "ttest_onesample";

    public OneSampleTTest() {
        super(NAME);
    }

    @Override
    public OneSampleTTestResult run(AnalysisInput input, FederationContext federation) {
        String y = TTests.single(NAME, "y", input.y());
        Alternative alternative =
                Alternative.of(input.parameters().path("alt_hypothesis").asText("two-sided"));
        double alpha = input.parameters().path("alpha").asDouble(0.05);
        double mu = input.parameters().path("mu").asDouble(0);
        Moments moments = GroupedMoments.compute(
                        federation, MomentsQuery.newBuilder().addNumerical(y).build())
                .total(0);
        TTests.checkRows(NAME, moments.n(), 2, y, input);
        double sd = moments.sampleStd();
        TTests.checkSpread(sd, y, moments.n());
        TTest test = TTest.of(moments.mean(), mu, sd / Math.sqrt(moments.n()), moments.n() - 1, alternative, alpha);
        return new OneSampleTTestResult(
                moments.n(),
                test.t(),
                moments.n() - 1,
                sd,
                test.p(),
                moments.mean(),
                test.se(),
                test.ciLower(),
                test.ciUpper(),
                (moments.mean() - mu) / sd);
    }
}
