package org.mipfed.algorithms.descriptive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mipfed.algorithms.descriptive.QuantilesResult.Quantile;
import org.mipfed.algorithms.descriptive.QuantilesResult.VariableQuantiles;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.QuantileCountsQuery;
import org.mipfed.proto.v1.QuantileCountsResult;
import org.mipfed.proto.v1.ThresholdCount;

/**
 * {@code quantiles} (ours, beyond Exareme2): exact pooled quantiles of numerical variables, as R's
 * {@code quantile(x, probs, type)} on the pooled rows, found by bisection on counts.
 *
 * <p>A quantile of any of R's nine types is a weighted mean of two order statistics x(j) and x(j + 1) of the pooled
 * values. The nodes never release their values, only ({@code quantile_counts}) how many of their rows are at or below
 * each of a few thresholds and the data values on either side of each. Summed over nodes, a threshold t with pooled
 * count C gives two order statistics at once: x(C) is the largest of the values at or below t, and x(C + 1) the
 * smallest above. For each rank r still sought the manager keeps the nearest thresholds below (count under r) and
 * above (count at least r) and asks, in the next round, a few thresholds between the values beside them; every such
 * threshold has a count strictly between theirs, so each round narrows every rank's bracket, and a rank is found when a
 * count lands on it or its bracket holds a single value (ties). The result does not depend on how the rows are spread
 * over the nodes: the pooled counts and values are the pooled data's.
 */
public final class Quantiles extends SpecifiedAlgorithm {
    public static final String NAME = "quantiles";
    /** Thresholds asked per rank sought in each round: the bracket's value range is cut in this many plus one. */
    private static final int THRESHOLDS_PER_RANK = 3;
    /** What one request of {@code quantile_counts} may carry (the node's limit). */
    private static final int MAX_THRESHOLDS = 64;
    /** Each round narrows each bracket by a rank at least; real data needs a few tens at most. */
    private static final int MAX_ROUNDS = 500;
    /** R's fuzz in quantile(): 4 * .Machine$double.eps. */
    private static final double FUZZ = 4 * Math.ulp(1.0);

    public Quantiles() {
        super(NAME);
    }

    @Override
    public QuantilesResult run(AnalysisInput input, FederationContext federation) {
        List<Double> probabilities = new ArrayList<>();
        input.parameters().path("probabilities").forEach(p -> probabilities.add(p.asDouble()));
        if (probabilities.isEmpty()) {
            throw Problem.badRequest(NAME + " needs at least one probability in 'probabilities'");
        }
        int type = input.parameters().path("type").asInt(7);
        if (type < 1 || type > 9) {
            throw Problem.badRequest(
                    "The parameter 'type' of " + NAME + " is one of R's quantile types, 1 to 9, not " + type);
        }
        List<VariableQuantiles> out = new ArrayList<>();
        for (String variable : new LinkedHashSet<>(input.y())) {
            out.add(of(federation, variable, probabilities, type, input.filter() != null));
        }
        return new QuantilesResult(type, probabilities, out);
    }

    /**
     * One variable's quantiles of the given type over the pooled rows with a value for it (the pooled box plot of
     * {@code descriptive_stats} asks for its quartiles here).
     *
     * @param filtered whether the request filters rows, for the message when no row has a value
     */
    static VariableQuantiles of(
            FederationContext federation, String variable, List<Double> probabilities, int type, boolean filtered) {
        Search search = new Search(federation, variable);
        long n = search.n;
        if (n == 0) {
            throw Problem.badRequest("No row of the selected datasets has a value for '" + variable + "'"
                    + (filtered ? " (after the filters)" : "") + "; choose another variable or datasets");
        }
        List<Position> positions = new ArrayList<>();
        TreeSet<Long> ranks = new TreeSet<>();
        for (double p : probabilities) {
            Position position = position(type, n, p);
            positions.add(position);
            // only the order statistics the quantile weighs: the minimum (p = 0) needs no second one, whose search
            // would ask for counts of one or two rows
            if (position.h() < 1) {
                ranks.add(position.lower(n));
            }
            if (position.h() > 0) {
                ranks.add(position.upper(n));
            }
        }
        Map<Long, Double> values = search.orderStatistics(ranks);
        List<Quantile> quantiles = new ArrayList<>();
        for (int i = 0; i < probabilities.size(); i++) {
            Position position = positions.get(i);
            double lower = position.h() < 1 ? values.get(position.lower(n)) : Double.NaN;
            double upper = position.h() > 0 ? values.get(position.upper(n)) : Double.NaN;
            quantiles.add(new Quantile(probabilities.get(i), position.value(lower, upper)));
        }
        return new VariableQuantiles(variable, n, search.min, search.max, quantiles, search.rounds);
    }

    /**
     * Where probability {@code p} falls among n sorted values, as R's quantile() computes it: the quantile is
     * (1 − h) x(j) + h x(j + 1), with j clamped to 1..n.
     *
     * @param j the lower order statistic's rank (0 and n + 1 stand for 1 and n)
     * @param h the weight of the upper one: 0 or 1 for types 1 to 3, which choose one of the two
     */
    record Position(long j, double h) {
        long lower(long n) {
            return Math.max(1, Math.min(n, j));
        }

        long upper(long n) {
            return Math.max(1, Math.min(n, j + 1));
        }

        /** The quantile from x(j) and x(j + 1); only the one weighed is needed when h is 0 or 1. */
        double value(double lower, double upper) {
            if (h == 0) {
                return lower;
            }
            if (h == 1 || lower == upper) {
                return upper;
            }
            return (1 - h) * lower + h * upper;
        }
    }

    /** R's quantile() (stats, R 4), type by type. */
    static Position position(int type, long n, double p) {
        if (type == 7) {
            double index = 1 + Math.max(n - 1, 0) * p;
            long lo = (long) Math.floor(index);
            return new Position(lo, index - lo);
        }
        if (type <= 3) {
            double nppm = type == 3 ? n * p - 0.5 : n * p;
            long j = (long) Math.floor(nppm + FUZZ);
            double h = switch (type) {
                case 1 -> nppm > j ? 1 : 0;
                case 2 -> ((nppm > j ? 1 : 0) + 1) / 2.0;
                default -> (nppm != j) || Math.floorMod(j, 2) == 1 ? 1 : 0;
            };
            return new Position(j, h);
        }
        double a;
        double b;
        switch (type) {
            case 4 -> {
                a = 0;
                b = 1;
            }
            case 5 -> a = b = 0.5;
            case 6 -> a = b = 0;
            case 8 -> a = b = 1.0 / 3;
            default -> a = b = 3.0 / 8;
        }
        double nppm = a + p * (n + 1 - a - b);
        long j = (long) Math.floor(nppm + FUZZ);
        double h = nppm - j;
        if (Math.abs(h) < FUZZ) {
            h = 0;
        }
        return new Position(j, h);
    }

    /** The bisection for one variable: its thresholds asked so far, with their pooled counts and values. */
    private static final class Search {
        private final FederationContext federation;
        private final String variable;
        /** Pooled count → the threshold's pooled figures; counts grow with thresholds, so this orders them too. */
        private final TreeMap<Long, Probe> probes = new TreeMap<>();

        final long n;
        final double min;
        final double max;
        int rounds;

        Search(FederationContext federation, String variable) {
            this.federation = federation;
            this.variable = variable;
            long rows = 0;
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (NodeAnswer answer : ask(List.of())) {
                QuantileCountsResult result = answer.result().getQuantileCounts();
                if (result.getN() > 0) {
                    rows += result.getN();
                    lo = Math.min(lo, result.getMin());
                    hi = Math.max(hi, result.getMax());
                }
            }
            this.n = rows;
            this.min = rows == 0 ? Double.NaN : lo;
            this.max = rows == 0 ? Double.NaN : hi;
            // Below every value: no row, and the smallest value above; at the largest value: every row.
            probes.put(0L, new Probe(0, Double.NaN, min));
            probes.put(n, new Probe(n, max, Double.NaN));
        }

        /** The order statistics of the given ranks (1..n). */
        Map<Long, Double> orderStatistics(TreeSet<Long> ranks) {
            Map<Long, Double> found = new TreeMap<>();
            while (true) {
                TreeSet<Double> thresholds = new TreeSet<>();
                for (long rank : ranks) {
                    if (found.containsKey(rank)) {
                        continue;
                    }
                    Map.Entry<Long, Probe> below = probes.lowerEntry(rank);
                    Map.Entry<Long, Probe> above = probes.ceilingEntry(rank);
                    double from = below.getValue().smallestAbove();
                    double to = above.getValue().largestAtOrBelow();
                    if (above.getKey() == rank) {
                        found.put(rank, to);
                    } else if (below.getKey() + 1 == rank || from == to) {
                        found.put(rank, from);
                    } else {
                        between(from, to, thresholds);
                    }
                }
                if (thresholds.isEmpty()) {
                    return found;
                }
                if (++rounds > MAX_ROUNDS) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "The nodes' counts of '" + variable + "' did not narrow its quantiles in " + MAX_ROUNDS
                                    + " rounds");
                }
                List<Double> all = new ArrayList<>(thresholds);
                for (int from = 0; from < all.size(); from += MAX_THRESHOLDS) {
                    List<Double> batch = all.subList(from, Math.min(all.size(), from + MAX_THRESHOLDS));
                    record(batch, ask(batch));
                }
            }
        }

        /** A few thresholds in [from, to): each one's count is above the lower bracket's and below the upper's. */
        private static void between(double from, double to, TreeSet<Double> thresholds) {
            boolean any = false;
            for (int i = 1; i <= THRESHOLDS_PER_RANK; i++) {
                double t = from + (to - from) * i / (THRESHOLDS_PER_RANK + 1);
                if (t >= from && t < to) {
                    thresholds.add(t);
                    any = true;
                }
            }
            if (!any) {
                thresholds.add(from);
            }
        }

        private List<NodeAnswer> ask(List<Double> thresholds) {
            return federation.compute(PrimitiveQuery.newBuilder()
                    .setQuantileCounts(QuantileCountsQuery.newBuilder()
                            .setVariable(variable)
                            .addAllThresholds(thresholds)));
        }

        private void record(List<Double> thresholds, List<NodeAnswer> answers) {
            long[] counts = new long[thresholds.size()];
            double[] largest = new double[thresholds.size()];
            double[] smallest = new double[thresholds.size()];
            Arrays.fill(largest, Double.NaN);
            Arrays.fill(smallest, Double.NaN);
            for (NodeAnswer answer : answers) {
                QuantileCountsResult result = answer.result().getQuantileCounts();
                if (result.getN() == 0) {
                    continue;
                }
                if (result.getCountsCount() != thresholds.size()) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "Node " + answer.node() + " answered " + result.getCountsCount() + " counts of '" + variable
                                    + "' for " + thresholds.size() + " thresholds");
                }
                for (int i = 0; i < thresholds.size(); i++) {
                    ThresholdCount count = result.getCounts(i);
                    counts[i] += count.getAtOrBelow();
                    largest[i] = max(largest[i], count.getLargestAtOrBelow());
                    smallest[i] = min(smallest[i], count.getSmallestAbove());
                }
            }
            for (int i = 0; i < thresholds.size(); i++) {
                if (counts[i] < 0 || counts[i] > n) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "The nodes count " + counts[i] + " rows of '" + variable + "' at or below a threshold, of "
                                    + n);
                }
                probes.putIfAbsent(counts[i], new Probe(counts[i], largest[i], smallest[i]));
            }
        }

        private static double max(double a, double b) {
            return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
        }

        private static double min(double a, double b) {
            return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.min(a, b);
        }
    }

    /**
     * A threshold's pooled figures.
     *
     * @param count the rows at or below it: x(count) is the largest of them
     * @param largestAtOrBelow x(count), NaN for none
     * @param smallestAbove x(count + 1), NaN for none
     */
    private record Probe(long count, double largestAtOrBelow, double smallestAbove) {}
}
