package org.mipfed.algorithms.correlation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.special.Beta;
import org.mipfed.algorithms.numerics.Correlations;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.PooledCrossProducts;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;

/**
 * Exareme2's {@code pearson_correlation}: the correlation of every variable (y) with every covariate
 * (x, or y itself when x is empty) over the rows complete in all of them, with the two-sided p-value
 * of r = 0 and a confidence interval through Fisher's z.
 *
 * <p>One round: the cross-products of x ∪ y, which combine exactly into the pooled ones.
 *
 * <p>As in Exareme2, the interval is tanh(atanh(r) ± z / sqrt(n - 3)) with z the (1 - alpha/2)
 * quantile of the standard normal: {@code alpha} acts as the tail probability of the interval,
 * whatever its label in the spec says, and results agree with Exareme2's only that way.
 */
public final class PearsonCorrelation extends SpecifiedAlgorithm {
    public static final String NAME = "pearson_correlation";
    private static final String TITLE = "Pearson Correlation Coefficient";
    /** The standard normal, never sampled. */
    private static final NormalDistribution NORMAL =
            new NormalDistribution(null, 0, 1, NormalDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);

    public PearsonCorrelation() {
        super(NAME);
    }

    @Override
    public PearsonCorrelationResult run(AnalysisInput input, FederationContext federation) {
        List<String> y = input.y();
        List<String> x = input.x().isEmpty() ? y : input.x();
        if (y.isEmpty()) {
            throw Problem.badRequest(NAME + " needs at least one variable (y)");
        }
        Set<String> distinct = new LinkedHashSet<>(y);
        distinct.addAll(x);
        List<String> variables = new ArrayList<>(distinct);
        List<DesignColumn> columns = variables.stream()
                .map(v -> DesignColumn.newBuilder().setVariable(v).build())
                .toList();
        CrossProducts pooled = PooledCrossProducts.compute(federation, columns, List.of());
        long n = pooled.n();
        if (n < 3) {
            throw Problem.badRequest(
                    NAME + " needs at least 3 rows with a value for every one of " + String.join(", ", variables)
                            + (input.filter() == null ? "" : " (after the filters)") + ", but "
                            + (n == 0 ? "no row has" : "only " + n + " have")
                            + "; choose other variables or datasets");
        }
        return result(
                pooled,
                variables,
                y,
                x,
                input.parameters().path("alpha").asDouble(0.95),
                PAdjust.of(input.parameters().path(PAdjust.PARAMETER).asText("")));
    }

    /** r, its p-value and interval for every variable of {@code y} against every one of {@code x}. */
    private static PearsonCorrelationResult result(
            CrossProducts pooled,
            List<String> variables,
            List<String> y,
            List<String> x,
            double alpha,
            PAdjust adjust) {
        long n = pooled.n();
        double df = n - 2;
        double z = NORMAL.inverseCumulativeProbability(1 - alpha / 2);
        double se = 1 / Math.sqrt(n - 3);
        Map<String, double[]> correlations = new LinkedHashMap<>();
        Map<String, double[]> pValues = new LinkedHashMap<>();
        Map<String, double[]> low = new LinkedHashMap<>();
        Map<String, double[]> high = new LinkedHashMap<>();
        for (String row : y) {
            int i = variables.indexOf(row);
            double[] r = new double[x.size()];
            double[] p = new double[x.size()];
            double[] lo = new double[x.size()];
            double[] hi = new double[x.size()];
            for (int k = 0; k < x.size(); k++) {
                r[k] = Correlations.correlation(pooled, i, variables.indexOf(x.get(k)));
                p[k] = pValue(r[k], df);
                double fisher = atanh(r[k]);
                lo[k] = Math.tanh(fisher - z * se);
                hi[k] = Math.tanh(fisher + z * se);
            }
            correlations.put(row, r);
            pValues.put(row, p);
            low.put(row, lo);
            high.put(row, hi);
        }
        return new PearsonCorrelationResult(
                TITLE,
                n,
                new PearsonCorrelationResult.Table(x, correlations),
                new PearsonCorrelationResult.Table(x, pValues),
                new PearsonCorrelationResult.Table(x, high),
                new PearsonCorrelationResult.Table(x, low),
                adjust == null ? null : adjust.rName(),
                adjust == null ? null : new PearsonCorrelationResult.Table(x, adjusted(pValues, y, x, adjust)));
    }

    /**
     * The p-values adjusted over the tests the table holds: each pair of two different variables once (a square
     * table holds each twice, and a variable with itself is no test: null there).
     */
    private static Map<String, double[]> adjusted(
            Map<String, double[]> pValues, List<String> y, List<String> x, PAdjust adjust) {
        Map<Set<String>, Integer> pairs = new LinkedHashMap<>();
        List<Double> tests = new ArrayList<>();
        for (String row : y) {
            for (int k = 0; k < x.size(); k++) {
                if (!row.equals(x.get(k)) && !pairs.containsKey(Set.of(row, x.get(k)))) {
                    pairs.put(Set.of(row, x.get(k)), tests.size());
                    tests.add(pValues.get(row)[k]);
                }
            }
        }
        double[] adjusted =
                adjust.adjust(tests.stream().mapToDouble(Double::doubleValue).toArray());
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String row : y) {
            double[] line = new double[x.size()];
            for (int k = 0; k < x.size(); k++) {
                line[k] = row.equals(x.get(k)) ? Double.NaN : adjusted[pairs.get(Set.of(row, x.get(k)))];
            }
            out.put(row, line);
        }
        return out;
    }

    /**
     * P(|T| >= |t|) for t = r sqrt(df / (1 - r²)) with df degrees of freedom, as I_{1-r²}(df/2, 1/2):
     * the tail itself, with 1 - r² taken as (1 - r)(1 + r) so that r near ±1 keeps its precision.
     */
    static double pValue(double r, double df) {
        if (Math.abs(r) == 1) {
            return 0;
        }
        return Beta.regularizedBeta((1 - r) * (1 + r), df / 2, 0.5);
    }

    private static double atanh(double r) {
        return 0.5 * Math.log1p(2 * r / (1 - r));
    }
}
