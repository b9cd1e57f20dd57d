package org.mipfed.algorithms.anova;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.anova.OneWayAnovaResult.AnovaTable;
import org.mipfed.algorithms.anova.OneWayAnovaResult.CiInfo;
import org.mipfed.algorithms.anova.OneWayAnovaResult.MinMaxPerGroup;
import org.mipfed.algorithms.anova.OneWayAnovaResult.TukeyPair;
import org.mipfed.algorithms.moments.GroupedMoments;
import org.mipfed.algorithms.numerics.Distributions;
import org.mipfed.algorithms.numerics.Moments;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.MomentsQuery;

/**
 * Exareme2's {@code anova_oneway}: the one-way analysis of variance of y over the levels of the
 * nominal x, and Tukey's honest significant differences between every pair of levels, all from the
 * pooled count, mean and centred sum of squares of y per level. Sums of squares are built from
 * centred quantities (within: Σ m2; between: Σ n (mean - grand mean)²), never as Σy² - (Σy)²/n.
 *
 * <p>Levels are taken in the order of the data model's enumerations, as Exareme2 does, keeping only
 * those present. Tukey p-values are exact tails of the studentized range ({@link StudentizedRange});
 * Exareme2 used statsmodels' {@code psturng} approximation, which is clamped to [0.001, 0.9].
 */
public final class OneWayAnova extends SpecifiedAlgorithm {
    public static final String NAME = "anova_oneway";
    static final String ONE_LEVEL = "Cannot perform Anova one-way. Covariable has only one level.";

    public OneWayAnova() {
        super(NAME);
    }

    @Override
    public OneWayAnovaResult run(AnalysisInput input, FederationContext federation) {
        if (input.y().size() != 1 || input.x().size() != 1) {
            throw Problem.badRequest(NAME + " takes one numerical variable (y) and one nominal covariate (x)");
        }
        String y = input.y().get(0);
        String x = input.x().get(0);
        Cde covariate = input.dataModel().cde(x);
        if (covariate == null || !covariate.categorical()) {
            throw Problem.badRequest(NAME + " needs a nominal covariate (x); '" + x + "' is not one");
        }
        if (covariate.enumerations().size() < 2) {
            throw Problem.badRequest(ONE_LEVEL);
        }
        GroupedMoments pooled = GroupedMoments.compute(
                federation,
                MomentsQuery.newBuilder().addNumerical(y).addGroupBy(x).build());
        List<String> levels = new ArrayList<>();
        List<Moments> groups = new ArrayList<>();
        for (String level : covariate.enumerations().keySet()) {
            GroupedMoments.Group group = pooled.groups().get(List.of(level));
            if (group != null && group.n() > 0) {
                levels.add(level);
                groups.add(group.moments(0));
            }
        }
        if (groups.size() < 2) {
            throw Problem.badRequest(ONE_LEVEL);
        }
        Moments total = pooled.total(0);
        if (total.n() <= groups.size()) {
            throw Problem.badRequest(NAME + " needs more rows than levels: " + total.n() + " rows have values for " + y
                    + " and " + x + ", over " + groups.size() + " levels of " + x + "; choose more datasets");
        }
        AnovaTable table = table(y, x, total, groups);
        return new OneWayAnovaResult(
                table,
                tukey(
                        levels,
                        groups,
                        table.msResidual(),
                        table.dfResidual(),
                        PAdjust.of(input.parameters().path(PAdjust.PARAMETER).asText(""))),
                minMax(levels, groups),
                ciInfo(levels, groups));
    }

    /** The sums of squares from centred quantities: within, Σ m2; between, Σ n (mean - grand mean)². */
    private static AnovaTable table(String y, String x, Moments total, List<Moments> groups) {
        long n = total.n();
        int k = groups.size();
        double ssResidual = 0;
        double ssExplained = 0;
        for (Moments group : groups) {
            ssResidual += group.m2();
            double deviation = group.mean() - total.mean();
            ssExplained += group.n() * deviation * deviation;
        }
        long dfExplained = k - 1;
        long dfResidual = n - k;
        double msExplained = ssExplained / dfExplained;
        double msResidual = ssResidual / dfResidual;
        double f = msExplained / msResidual;
        return new AnovaTable(
                n,
                y,
                x,
                dfResidual,
                dfExplained,
                ssResidual,
                ssExplained,
                msResidual,
                msExplained,
                Distributions.fUpperTail(f, dfExplained, dfResidual),
                f);
    }

    /**
     * Tukey's HSD for every pair, in level order: se from the residual mean square, p from the studentized range. With
     * {@code adjust}, also each pair's t-test on the pooled standard deviation (its two-sided p from Student's t on the
     * residual df) and those p-values adjusted over the pairs: R's {@code pairwise.t.test(y, x, p.adjust.method)}.
     */
    private static List<TukeyPair> tukey(
            List<String> levels, List<Moments> groups, double msResidual, long dfResidual, PAdjust adjust) {
        List<TukeyPair> pairs = new ArrayList<>();
        List<double[]> tests = new ArrayList<>();
        int k = groups.size();
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                Moments first = groups.get(a);
                Moments second = groups.get(b);
                double diff = first.mean() - second.mean();
                double se = Math.sqrt(msResidual / first.n() + msResidual / second.n());
                double t = diff / se;
                double p = Double.isFinite(t)
                        ? StudentizedRange.upperTail(Math.sqrt(2) * Math.abs(t), k, dfResidual)
                        : Double.NaN;
                tests.add(new double[] {diff, se, t, p});
                pairs.add(new TukeyPair(
                        levels.get(a), levels.get(b), first.mean(), second.mean(), diff, se, t, p, null, null));
            }
        }
        if (adjust == null) {
            return pairs;
        }
        double[] raw = tests.stream()
                .mapToDouble(test -> Distributions.studentTwoSidedPValue(test[2], dfResidual))
                .toArray();
        double[] adjusted = adjust.adjust(raw);
        List<TukeyPair> out = new ArrayList<>();
        for (int i = 0; i < pairs.size(); i++) {
            TukeyPair pair = pairs.get(i);
            out.add(new TukeyPair(
                    pair.groupA(),
                    pair.groupB(),
                    pair.meanA(),
                    pair.meanB(),
                    pair.diff(),
                    pair.se(),
                    pair.tStat(),
                    pair.pTuckey(),
                    raw[i],
                    adjusted[i]));
        }
        return out;
    }

    private static MinMaxPerGroup minMax(List<String> levels, List<Moments> groups) {
        return new MinMaxPerGroup(
                levels,
                groups.stream().map(Moments::min).toList(),
                groups.stream().map(Moments::max).toList());
    }

    /** Per level: the mean, the sample standard deviation and mean ∓ one standard deviation. */
    private static CiInfo ciInfo(List<String> levels, List<Moments> groups) {
        Map<String, Double> stds = new LinkedHashMap<>();
        Map<String, Double> means = new LinkedHashMap<>();
        Map<String, Double> lower = new LinkedHashMap<>();
        Map<String, Double> upper = new LinkedHashMap<>();
        for (int i = 0; i < levels.size(); i++) {
            Moments group = groups.get(i);
            double sd = group.sampleStd();
            stds.put(levels.get(i), sd);
            means.put(levels.get(i), group.mean());
            lower.put(levels.get(i), group.mean() - sd);
            upper.put(levels.get(i), group.mean() + sd);
        }
        return new CiInfo(stds, means, lower, upper);
    }
}
