package org.mipfed.algorithms.histogram;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.HistogramCounts;
import org.mipfed.proto.v1.HistogramQuery;
import org.mipfed.proto.v1.HistogramResult;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * Exareme2's {@code multiple_histograms}: the histogram of one variable (y) over the rows complete in
 * it and in the grouping variables (x), then one per level of each grouping variable.
 *
 * <p>A nominal variable's bins are its levels, in the data model's order. A numerical variable's bins
 * are numpy's: {@code bins} equal widths between the pooled minimum and maximum (asked of the nodes
 * first), each closed below and open above, the last closed. A count is null when it is zero or when
 * a node withheld its part of it (fewer rows than the node's minimum), as Exareme2 nulls counts below
 * its threshold.
 */
public final class MultipleHistograms extends SpecifiedAlgorithm {
    public static final String NAME = "multiple_histograms";
    /** Exareme2's number of bins when the request gives none. */
    static final int DEFAULT_BINS = 20;

    public MultipleHistograms() {
        super(NAME);
    }

    @Override
    public MultipleHistogramsResult run(AnalysisInput input, FederationContext federation) {
        Cde yCde = variable(input);
        String y = yCde.code();
        List<Cde> groups = groups(input, y);
        int bins = input.parameters().path("bins").asInt(DEFAULT_BINS);
        HistogramQuery.Builder query = HistogramQuery.newBuilder().setVariable(y);
        groups.forEach(g -> query.addGroupBy(g.code()));
        List<?> binNames;
        if (yCde.categorical()) {
            binNames = List.copyOf(yCde.enumerations().keySet());
        } else {
            double[] edges = edges(range(federation, query, y, groups, input), bins);
            for (double edge : edges) {
                query.addEdges(edge);
            }
            binNames = Arrays.stream(edges).boxed().toList();
        }
        int binCount = binNames.size() - (yCde.categorical() ? 0 : 1);
        Map<String, Pooled> pooled = new LinkedHashMap<>();
        pooled.put(key("", ""), new Pooled(binCount));
        for (Cde group : groups) {
            group.enumerations().keySet().forEach(level -> pooled.put(key(group.code(), level), new Pooled(binCount)));
        }
        long n = count(federation, query, binCount, pooled);
        if (n == 0) {
            throw noRows(y, groups, input);
        }
        List<MultipleHistogramsResult.Histogram> histograms = new ArrayList<>();
        for (Map.Entry<String, Pooled> entry : pooled.entrySet()) {
            String[] parts = entry.getKey().split("\u0000", -1);
            boolean all = parts[0].isEmpty();
            histograms.add(new MultipleHistogramsResult.Histogram(
                    y,
                    all ? null : parts[0],
                    all ? null : parts[1],
                    binNames,
                    entry.getValue().released()));
        }
        return new MultipleHistogramsResult(histograms, n);
    }

    /** The one variable to distribute among bins (y): numerical or nominal. */
    private static Cde variable(AnalysisInput input) {
        DataModel model = input.dataModel();
        if (input.y().size() != 1) {
            throw Problem.badRequest(NAME + " takes exactly one variable to distribute among bins (y), not "
                    + input.y().size());
        }
        String y = input.y().get(0);
        Cde yCde = model.cde(y);
        if (yCde == null || !(yCde.categorical() || yCde.numerical())) {
            throw Problem.badRequest("The variable '" + y + "' "
                    + (yCde == null ? "is not in the data model " + model.id() : "is free text") + "; " + NAME
                    + " needs a numerical or nominal variable (y)");
        }
        return yCde;
    }

    /** The grouping variables (x): nominal, once each; as in Exareme2, grouping by y itself is dropped. */
    private static List<Cde> groups(AnalysisInput input, String y) {
        DataModel model = input.dataModel();
        LinkedHashSet<String> unique = new LinkedHashSet<>(input.x());
        unique.remove(y);
        List<Cde> groups = new ArrayList<>();
        for (String variable : unique) {
            Cde cde = model.cde(variable);
            if (cde == null || !cde.categorical()) {
                throw Problem.badRequest("The grouping variable '" + variable + "' "
                        + (cde == null ? "is not in the data model " + model.id() : "is not nominal") + "; " + NAME
                        + " groups by nominal variables (x) only");
            }
            groups.add(cde);
        }
        return groups;
    }

    /** The round of counts: each node's counts added into {@code pooled}; returns the rows counted. */
    private static long count(
            FederationContext federation, HistogramQuery.Builder query, int binCount, Map<String, Pooled> pooled) {
        long n = 0;
        for (NodeAnswer answer : federation.compute(PrimitiveQuery.newBuilder().setHistogram(query))) {
            HistogramResult result = answer.result().getHistogram();
            if (result.getN() == 0) {
                continue;
            }
            n += result.getN();
            for (HistogramCounts counts : result.getHistogramsList()) {
                Pooled target = pooled.get(key(counts.getGroupVariable(), counts.getGroupLevel()));
                if (target == null || counts.getCountsCount() != binCount || counts.getSuppressedCount() != binCount) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "The node " + answer.node() + " returned a histogram that " + "does not fit the request ("
                                    + binCount + " bins); it may run an incompatible version of mipfed");
                }
                target.add(counts);
            }
        }
        return n;
    }

    /** The pooled min and max of y over the rows complete in y and the grouping variables. */
    private static double[] range(
            FederationContext federation,
            HistogramQuery.Builder query,
            String y,
            List<Cde> groups,
            AnalysisInput input) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (NodeAnswer answer : federation.compute(PrimitiveQuery.newBuilder().setHistogram(query.clone()))) {
            HistogramResult range = answer.result().getHistogram();
            if (range.getN() > 0) {
                min = Math.min(min, range.getMin());
                max = Math.max(max, range.getMax());
            }
        }
        if (min > max) {
            throw noRows(y, groups, input);
        }
        return new double[] {min, max};
    }

    /**
     * numpy.histogram's edges for {@code range=(min, max)}: {@code linspace(min, max, bins + 1)}, that
     * is i · step + min with the last edge exactly max; a range of one value is widened by 0.5 each way.
     */
    static double[] edges(double[] range, int bins) {
        double first = range[0];
        double last = range[1];
        if (first == last) {
            first -= 0.5;
            last += 0.5;
        }
        double[] edges = new double[bins + 1];
        double step = (last - first) / bins;
        for (int i = 0; i < bins; i++) {
            edges[i] = i * step + first;
        }
        edges[bins] = last;
        return edges;
    }

    private static Problem noRows(String y, List<Cde> groups, AnalysisInput input) {
        List<String> used = new ArrayList<>();
        used.add(y);
        groups.forEach(g -> used.add(g.code()));
        return Problem.notEnoughData("No row of the selected datasets has a value for every one of "
                + String.join(", ", used) + (input.filter() == null ? "" : " (after the filters)")
                + "; choose other variables or datasets");
    }

    private static String key(String variable, String level) {
        return variable + '\u0000' + level;
    }

    /** One histogram's counts summed over nodes, remembering which bins some node withheld. */
    private static final class Pooled {
        private final long[] counts;
        private final boolean[] withheld;

        Pooled(int bins) {
            counts = new long[bins];
            withheld = new boolean[bins];
        }

        void add(HistogramCounts node) {
            for (int b = 0; b < counts.length; b++) {
                counts[b] += node.getCounts(b);
                withheld[b] |= node.getSuppressed(b);
            }
        }

        /** The counts as released: null where zero or withheld. */
        List<Long> released() {
            List<Long> out = new ArrayList<>(counts.length);
            for (int b = 0; b < counts.length; b++) {
                out.add(counts[b] == 0 || withheld[b] ? null : counts[b]);
            }
            return out;
        }
    }
}
