package org.mipfed.algorithms.anova;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.JsonTree;
import org.mipfed.algorithms.support.ResultJson;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.algorithms.moments.GroupedMoments;
import org.mipfed.algorithms.numerics.Distributions;
import org.mipfed.algorithms.numerics.Moments;
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
    public AlgorithmResult run(AnalysisInput input, FederationContext federation) {
        return new JsonTree(runJson(input, federation));
    }

    private ObjectNode runJson(AnalysisInput input, FederationContext federation) {
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
        GroupedMoments pooled = GroupedMoments.compute(federation, MomentsQuery.newBuilder().addNumerical(y).addGroupBy(x).build());
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
        long n = total.n();
        int k = groups.size();
        if (n <= k) {
            throw Problem.badRequest(NAME + " needs more rows than levels: " + n + " rows have values for " + y + " and " + x
                    + ", over " + k + " levels of " + x + "; choose more datasets");
        }
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

        ObjectNode table = ResultJson.object();
        table.put("n_obs", n);
        table.put("y_label", y);
        table.put("x_label", x);
        table.put("df_residual", dfResidual);
        table.put("df_explained", dfExplained);
        ResultJson.put(table, "ss_residual", ssResidual);
        ResultJson.put(table, "ss_explained", ssExplained);
        ResultJson.put(table, "ms_residual", msResidual);
        ResultJson.put(table, "ms_explained", msExplained);
        ResultJson.put(table, "p_value", Distributions.fUpperTail(f, dfExplained, dfResidual));
        ResultJson.put(table, "f_stat", f);

        ObjectNode out = ResultJson.object();
        out.set("anova_table", table);
        out.set("tuckey_test", tukey(levels, groups, msResidual, dfResidual));
        out.set("min_max_per_group", minMax(levels, groups));
        out.set("ci_info", ciInfo(levels, groups));
        return out;
    }

    /** Tukey's HSD for every pair, in level order: se from the residual mean square, p from the studentized range. */
    private static ArrayNode tukey(List<String> levels, List<Moments> groups, double msResidual, long dfResidual) {
        ArrayNode pairs = ResultJson.array();
        int k = groups.size();
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                Moments first = groups.get(a);
                Moments second = groups.get(b);
                double diff = first.mean() - second.mean();
                double se = Math.sqrt(msResidual / first.n() + msResidual / second.n());
                double t = diff / se;
                ObjectNode pair = pairs.addObject();
                pair.put("groupA", levels.get(a));
                pair.put("groupB", levels.get(b));
                ResultJson.put(pair, "meanA", first.mean());
                ResultJson.put(pair, "meanB", second.mean());
                ResultJson.put(pair, "diff", diff);
                ResultJson.put(pair, "se", se);
                ResultJson.put(pair, "t_stat", t);
                ResultJson.put(pair, "p_tuckey", Double.isFinite(t) ? StudentizedRange.upperTail(Math.sqrt(2) * Math.abs(t), k, dfResidual)
                        : Double.NaN);
            }
        }
        return pairs;
    }

    private static ObjectNode minMax(List<String> levels, List<Moments> groups) {
        ObjectNode out = ResultJson.object();
        out.set("categories", ResultJson.strings(levels));
        out.set("min", ResultJson.numbers(groups.stream().mapToDouble(Moments::min).toArray()));
        out.set("max", ResultJson.numbers(groups.stream().mapToDouble(Moments::max).toArray()));
        return out;
    }

    /** Per level: the mean, the sample standard deviation and mean ∓ one standard deviation, keyed by level as Exareme2 does. */
    private static ObjectNode ciInfo(List<String> levels, List<Moments> groups) {
        ObjectNode out = ResultJson.object();
        ObjectNode stds = out.putObject("sample_stds");
        ObjectNode means = out.putObject("means");
        ObjectNode lower = out.putObject("m-s");
        ObjectNode upper = out.putObject("m+s");
        for (int i = 0; i < levels.size(); i++) {
            Moments group = groups.get(i);
            double sd = group.sampleStd();
            ResultJson.put(stds, levels.get(i), sd);
            ResultJson.put(means, levels.get(i), group.mean());
            ResultJson.put(lower, levels.get(i), group.mean() - sd);
            ResultJson.put(upper, levels.get(i), group.mean() + sd);
        }
        return out;
    }
}
