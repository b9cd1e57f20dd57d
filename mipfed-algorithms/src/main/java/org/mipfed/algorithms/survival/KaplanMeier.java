package org.mipfed.algorithms.survival;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.special.Gamma;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.SurvivalCountsQuery;
import org.mipfed.proto.v1.SurvivalCountsResult;
import org.mipfed.proto.v1.SurvivalGroupCounts;

/**
 * {@code kaplan_meier} (ours, beyond Exareme2): R's {@code survfit(Surv(time, event) ~ group)} and
 * {@code survdiff} over binned times. Each node counts, per group and time bin, the rows that had the
 * event and the rows censored there ({@code survival_counts}); summed over nodes these are exactly the
 * pooled counts, from which the product-limit estimate, its Greenwood standard error, the confidence
 * interval on the log scale (R's default {@code conf.type = "log"}), the median survival (R's
 * {@code quantile.survfit}) and the log-rank test follow.
 *
 * <p>A time t is moved up to the end of its bin, {@code ceil(t / w) * w}; the curves are reported at
 * those bin ends. With integer times and {@code bin_width} 1, the result is survfit's on the raw times.
 * With {@code join_sparse_bins} (the default) a node joins a bin whose events or censored rows are
 * below its minimum to the bins after it and reports them at the joined bin's end, so its times move
 * up further there, as with a wider bin; the curves are then survfit's on those times.
 */
public final class KaplanMeier extends SpecifiedAlgorithm {
    public static final String NAME = "kaplan_meier";
    static final double CONFIDENCE = 0.95;
    /** quantile.survfit's tolerance, sqrt(.Machine$double.eps). */
    private static final double TOLERANCE = Math.sqrt(Math.ulp(1.0));

    public KaplanMeier() {
        super(NAME);
    }

    @Override
    public KaplanMeierResult run(AnalysisInput input, FederationContext federation) {
        Request request = Request.of(input);
        SurvivalCountsQuery.Builder query = SurvivalCountsQuery.newBuilder()
                .setTime(request.time().code())
                .setEvent(request.event().code())
                .setEventLevel(request.eventLevel())
                .setBinWidth(request.width())
                .setMergeSparseBins(request.joinSparseBins());
        if (request.group() != null) {
            query.setGroupBy(request.group().code());
        }
        Map<String, TreeMap<Long, long[]>> pooled =
                pool(federation.compute(PrimitiveQuery.newBuilder().setSurvivalCounts(query)), request.group());
        if (pooled.isEmpty()) {
            throw Problem.notEnoughData("No row of the selected datasets has a value for every one of "
                    + String.join(", ", request.used()) + (input.filter() == null ? "" : " (after the filters)")
                    + "; choose other variables or datasets");
        }
        return result(request, pooled);
    }

    /**
     * A request once checked.
     *
     * @param group the grouping variable, or null
     * @param eventLevel the event variable's level that means the event happened
     * @param width the width of the time bins
     */
    private record Request(Cde time, Cde event, Cde group, String eventLevel, double width, boolean joinSparseBins) {
        static Request of(AnalysisInput input) {
            DataModel model = input.dataModel();
            if (input.y().size() != 1) {
                throw Problem.badRequest(NAME + " takes exactly one time variable (y), not "
                        + input.y().size());
            }
            Cde time = model.cde(input.y().get(0));
            if (time == null || !time.numerical()) {
                throw Problem.badRequest("The time variable '" + input.y().get(0) + "' "
                        + (time == null ? "is not in the data model " + model.id() : "is not numerical") + "; " + NAME
                        + " needs a numerical time (y)");
            }
            if (input.x().isEmpty() || input.x().size() > 2) {
                throw Problem.badRequest(
                        NAME + " takes one or two nominal variables (x): the event indicator, then optionally the "
                                + "grouping variable; not " + input.x().size());
            }
            Cde event = nominal(model, input.x().get(0), "event variable (the first x)");
            Cde group =
                    input.x().size() == 2 ? nominal(model, input.x().get(1), "grouping variable (the second x)") : null;
            if (group != null && group.code().equals(event.code())) {
                throw Problem.badRequest("The grouping variable of " + NAME + " must differ from the event variable '"
                        + event.code() + "'");
            }
            String eventLevel = input.parameters().path("event_level").asText("");
            if (!event.enumerations().containsKey(eventLevel)) {
                throw Problem.badRequest(
                        "The parameter event_level must be one of the levels of the event variable '" + event.code()
                                + "': " + String.join(", ", event.enumerations().keySet())
                                + (eventLevel.isEmpty() ? "" : "; not '" + eventLevel + "'"));
            }
            double width = input.parameters().path("bin_width").asDouble(1);
            if (!(width > 0) || !Double.isFinite(width)) {
                throw Problem.badRequest(
                        "The parameter bin_width of " + NAME + " must be a positive number, not " + width);
            }
            // on by default: a node joins a sparse bin to the next ones rather than refusing the whole curve
            boolean join = input.parameters().path("join_sparse_bins").asBoolean(true);
            return new Request(time, event, group, eventLevel, width, join);
        }

        /** The variables every row used is complete in. */
        List<String> used() {
            return group == null
                    ? List.of(time.code(), event.code())
                    : List.of(time.code(), event.code(), group.code());
        }
    }

    /** The curves, and the log-rank test between them when grouped. */
    private static KaplanMeierResult result(Request request, Map<String, TreeMap<Long, long[]>> pooled) {
        double z = new NormalDistribution(null, 0, 1).inverseCumulativeProbability(0.5 + CONFIDENCE / 2);
        boolean grouped = request.group() != null;
        List<Curve> curves = new ArrayList<>();
        long n = 0;
        long events = 0;
        for (Map.Entry<String, TreeMap<Long, long[]>> entry : pooled.entrySet()) {
            Curve curve = Curve.of(grouped ? entry.getKey() : null, entry.getValue(), request.width(), z);
            n += curve.n();
            events += curve.events();
            curves.add(curve);
        }
        return new KaplanMeierResult(
                request.time().code(),
                request.event().code(),
                request.eventLevel(),
                grouped ? request.group().code() : null,
                request.width(),
                CONFIDENCE,
                curves,
                n,
                events,
                grouped ? LogRank.of(pooled) : null);
    }

    private static Cde nominal(DataModel model, String code, String role) {
        Cde cde = model.cde(code);
        if (cde == null || !cde.categorical()) {
            throw Problem.badRequest("The " + role + " '" + code + "' "
                    + (cde == null ? "is not in the data model " + model.id() : "is not nominal") + "; " + NAME
                    + " needs a nominal variable there");
        }
        return cde;
    }

    /** Per group (in the data model's level order; "" without grouping), bin → {events, censored}, summed over nodes. */
    private static Map<String, TreeMap<Long, long[]>> pool(List<NodeAnswer> answers, Cde group) {
        Map<String, TreeMap<Long, long[]>> byGroup = new LinkedHashMap<>();
        if (group == null) {
            byGroup.put("", new TreeMap<>());
        } else {
            group.enumerations().keySet().forEach(level -> byGroup.put(level, new TreeMap<>()));
        }
        for (NodeAnswer answer : answers) {
            SurvivalCountsResult result = answer.result().getSurvivalCounts();
            for (SurvivalGroupCounts counts : result.getGroupsList()) {
                TreeMap<Long, long[]> target = byGroup.get(counts.getLevel());
                if (target == null
                        || counts.getEventsCount() != counts.getBinsCount()
                        || counts.getCensoredCount() != counts.getBinsCount()) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "The node " + answer.node() + " returned survival counts that do "
                                    + "not fit the request; it may run an incompatible version of mipfed");
                }
                for (int i = 0; i < counts.getBinsCount(); i++) {
                    long[] cell = target.computeIfAbsent(counts.getBins(i), b -> new long[2]);
                    cell[0] += counts.getEvents(i);
                    cell[1] += counts.getCensored(i);
                }
            }
        }
        byGroup.values().removeIf(Map::isEmpty);
        return byGroup;
    }

    /**
     * One product-limit curve at the ends of the bins where rows leave, with R's figures; the arrays are parallel to
     * {@code time}.
     *
     * @param group the group's level, or null without grouping
     * @param n the rows of the group
     * @param events the events among them
     * @param nRisk the rows at risk at each time
     * @param nEvent the events at each time
     * @param nCensor the rows censored at each time
     * @param survival the product-limit estimate
     * @param stdErr Greenwood's standard error of the log of the estimate
     * @param lowerCi the lower end of the log-scale confidence interval; null where the estimate is 0
     * @param upperCi its upper end, capped at 1
     * @param median the median survival time, null when the curve never reaches 0.5
     * @param medianLowerCi where the lower end reaches 0.5
     * @param medianUpperCi where the upper end reaches 0.5
     */
    public record Curve(
            String group,
            long n,
            long events,
            double[] time,
            long[] nRisk,
            long[] nEvent,
            long[] nCensor,
            double[] survival,
            double[] stdErr,
            double[] lowerCi,
            double[] upperCi,
            double median,
            double medianLowerCi,
            double medianUpperCi) {

        static Curve of(String group, TreeMap<Long, long[]> bins, double width, double z) {
            int m = bins.size();
            double[] time = new double[m];
            long[] atRisk = new long[m];
            long[] d = new long[m];
            long[] c = new long[m];
            long n = 0;
            long events = 0;
            int j = 0;
            for (Map.Entry<Long, long[]> bin : bins.entrySet()) {
                time[j] = bin.getKey() * width;
                d[j] = bin.getValue()[0];
                c[j] = bin.getValue()[1];
                n += d[j] + c[j];
                events += d[j];
                j++;
            }
            double[] survival = new double[m];
            double[] stdErr = new double[m];
            double[] lower = new double[m];
            double[] upper = new double[m];
            long risk = n;
            double s = 1;
            double greenwood = 0;
            for (int i = 0; i < m; i++) {
                atRisk[i] = risk;
                s *= 1 - (double) d[i] / risk;
                greenwood += d[i] == 0
                        ? 0
                        : d[i] == risk ? Double.POSITIVE_INFINITY : (double) d[i] / ((double) risk * (risk - d[i]));
                survival[i] = s;
                stdErr[i] = Math.sqrt(greenwood);
                // R's conf.type = "log": S·exp(∓ z·se), the upper end capped at 1, none where S is 0.
                lower[i] = s == 0 ? Double.NaN : Math.exp(Math.log(s) - z * stdErr[i]);
                upper[i] = s == 0 ? Double.NaN : Math.min(1, Math.exp(Math.log(s) + z * stdErr[i]));
                risk -= d[i] + c[i];
            }
            return new Curve(
                    group,
                    n,
                    events,
                    time,
                    atRisk,
                    d,
                    c,
                    survival,
                    stdErr,
                    lower,
                    upper,
                    quantile(time, survival, 0.5),
                    quantile(time, lower, 0.5),
                    quantile(time, upper, 0.5));
        }
    }

    /**
     * The time where a curve crosses 1 − p, as R's {@code survival:::findq}: on the points (0, 0),
     * (t_i, 1 − S_i) with repeated heights dropped, the first point at or above p; where the curve
     * sits at p (within the tolerance) over an interval, the middle of that interval. NaN when it
     * never reaches p.
     */
    static double quantile(double[] time, double[] survival, double p) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        xs.add(0.0);
        ys.add(0.0);
        for (int i = 0; i < time.length; i++) {
            double y = 1 - survival[i];
            boolean duplicate = false;
            for (double seen : ys) {
                duplicate |= Double.isNaN(seen) ? Double.isNaN(y) : seen == y;
            }
            if (!duplicate) {
                xs.add(time[i]);
                ys.add(y);
            }
        }
        double xmax = time.length == 0 ? 0 : time[time.length - 1];
        double last = ys.get(ys.size() - 1);
        List<double[]> points = new ArrayList<>();
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < xs.size(); i++) {
            if (!Double.isNaN(ys.get(i))) {
                points.add(new double[] {xs.get(i), ys.get(i)});
                max = Math.max(max, ys.get(i));
            }
        }
        if (max < p) {
            return Double.NaN;
        }
        int first = -1;
        int second = -1;
        for (int i = points.size() - 1; i >= 0; i--) {
            if (points.get(i)[1] + TOLERANCE >= p) {
                first = i;
            }
            if (points.get(i)[1] - TOLERANCE >= p) {
                second = i;
            }
        }
        if (first < 0) {
            return Double.NaN;
        }
        if (!Double.isNaN(last) && Math.abs(p - last) < TOLERANCE) {
            return (points.get(first)[0] + xmax) / 2;
        }
        if (second < 0) {
            return Double.NaN;
        }
        return (points.get(first)[0] + points.get(second)[0]) / 2;
    }

    /**
     * The log-rank test (R's survdiff, rho = 0) between the groups over the pooled bins.
     *
     * @param groups the groups compared, in the data model's level order
     * @param observed the events in each group
     * @param expected the events expected in each group were all the same
     * @param chiSquared the test statistic
     * @param df its degrees of freedom: the groups with some expected event, minus one
     * @param pValue P(χ² ≥ chiSquared); null with fewer than two such groups
     */
    public record LogRank(
            List<String> groups, double[] observed, double[] expected, double chiSquared, int df, double pValue) {

        static LogRank of(Map<String, TreeMap<Long, long[]>> byGroup) {
            List<String> groups = new ArrayList<>(byGroup.keySet());
            int g = groups.size();
            TreeSet<Long> bins = new TreeSet<>();
            byGroup.values().forEach(m -> bins.addAll(m.keySet()));
            long[] atRisk = new long[g];
            for (int k = 0; k < g; k++) {
                for (long[] cell : byGroup.get(groups.get(k)).values()) {
                    atRisk[k] += cell[0] + cell[1];
                }
            }
            double[] observed = new double[g];
            double[] expected = new double[g];
            double[][] variance = new double[g][g];
            for (long bin : bins) {
                long[] d = new long[g];
                long[] left = new long[g];
                long n = 0;
                long dTotal = 0;
                for (int k = 0; k < g; k++) {
                    long[] cell = byGroup.get(groups.get(k)).get(bin);
                    if (cell != null) {
                        d[k] = cell[0];
                        left[k] = cell[0] + cell[1];
                    }
                    n += atRisk[k];
                    dTotal += d[k];
                }
                if (dTotal > 0) {
                    for (int k = 0; k < g; k++) {
                        observed[k] += d[k];
                        expected[k] += (double) dTotal * atRisk[k] / n;
                        if (n > 1) {
                            double factor = (double) dTotal * (n - dTotal) / (n - 1) / n;
                            for (int l = 0; l < g; l++) {
                                variance[k][l] += factor * atRisk[k] * ((k == l ? 1.0 : 0.0) - (double) atRisk[l] / n);
                            }
                        }
                    }
                }
                for (int k = 0; k < g; k++) {
                    atRisk[k] -= left[k];
                }
            }
            // As survdiff: only groups with some expected events count; the first of them is dropped.
            List<Integer> used = new ArrayList<>();
            for (int k = 0; k < g; k++) {
                if (expected[k] > 0) {
                    used.add(k);
                }
            }
            double chi = 0;
            int df = used.size() - 1;
            if (used.size() >= 2) {
                int q = used.size() - 1;
                double[][] v = new double[q][q];
                double[] diff = new double[q];
                for (int a = 0; a < q; a++) {
                    diff[a] = observed[used.get(a + 1)] - expected[used.get(a + 1)];
                    for (int b = 0; b < q; b++) {
                        v[a][b] = variance[used.get(a + 1)][used.get(b + 1)];
                    }
                }
                double[] solved = new LUDecomposition(new Array2DRowRealMatrix(v, false))
                        .getSolver()
                        .solve(new ArrayRealVector(diff, false))
                        .toArray();
                for (int a = 0; a < q; a++) {
                    chi += solved[a] * diff[a];
                }
            }
            double p = df > 0 ? Gamma.regularizedGammaQ(df / 2.0, chi / 2) : Double.NaN;
            return new LogRank(groups, observed, expected, chi, Math.max(df, 0), p);
        }
    }
}
