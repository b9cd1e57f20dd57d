package org.mipfed.algorithms.histogram;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.JsonTree;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.ResultJson;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
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
    public AlgorithmResult run(AnalysisInput input, FederationContext federation) {
        return new JsonTree(runJson(input, federation));
    }

    private ObjectNode runJson(AnalysisInput input, FederationContext federation) {
        DataModel model = input.dataModel();
        if (input.y().size() != 1) {
            throw Problem.badRequest(NAME + " takes exactly one variable to distribute among bins (y), not " + input.y().size());
        }
        String y = input.y().get(0);
        Cde yCde = model.cde(y);
        if (yCde == null || !(yCde.categorical() || yCde.numerical())) {
            throw Problem.badRequest("The variable '" + y + "' " + (yCde == null ? "is not in the data model " + model.id()
                    : "is free text") + "; " + NAME + " needs a numerical or nominal variable (y)");
        }
        // As in Exareme2, grouping by the variable itself is dropped.
        LinkedHashSet<String> unique = new LinkedHashSet<>(input.x());
        unique.remove(y);
        List<Cde> groups = new ArrayList<>();
        for (String variable : unique) {
            Cde cde = model.cde(variable);
            if (cde == null || !cde.categorical()) {
                throw Problem.badRequest("The grouping variable '" + variable + "' " + (cde == null ? "is not in the data model "
                        + model.id() : "is not nominal") + "; " + NAME + " groups by nominal variables (x) only");
            }
            groups.add(cde);
        }
        int bins = input.parameters().path("bins").asInt(DEFAULT_BINS);
        HistogramQuery.Builder query = HistogramQuery.newBuilder().setVariable(y);
        groups.forEach(g -> query.addGroupBy(g.code()));
        ArrayNode binsJson;
        if (yCde.categorical()) {
            binsJson = ResultJson.strings(new ArrayList<>(yCde.enumerations().keySet()));
        }
        else {
            double[] edges = edges(range(federation, query, y, groups, input), bins);
            for (double edge : edges) {
                query.addEdges(edge);
            }
            binsJson = ResultJson.numbers(edges);
        }
        int binCount = binsJson.size() - (yCde.categorical() ? 0 : 1);
        Map<String, Pooled> pooled = new LinkedHashMap<>();
        pooled.put(key("", ""), new Pooled(binCount));
        for (Cde group : groups) {
            group.enumerations().keySet().forEach(level -> pooled.put(key(group.code(), level), new Pooled(binCount)));
        }
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
                    throw new Problem(502, "Inconsistent node answer", "The node " + answer.node() + " returned a histogram that does "
                            + "not fit the request (" + binCount + " bins); it may run an incompatible version of mipfed");
                }
                target.add(counts);
            }
        }
        if (n == 0) {
            throw noRows(y, groups, input);
        }
        ObjectNode result = ResultJson.object();
        ArrayNode histograms = result.putArray("histogram");
        // Not in Exareme2's shape: the rows the histograms were drawn from, as every mipfed result says.
        result.put("n_obs", n);
        for (Map.Entry<String, Pooled> entry : pooled.entrySet()) {
            String[] parts = entry.getKey().split("\u0000", -1);
            ObjectNode histogram = histograms.addObject();
            histogram.put("var", y);
            if (parts[0].isEmpty()) {
                histogram.putNull("grouping_var");
                histogram.putNull("grouping_enum");
            }
            else {
                histogram.put("grouping_var", parts[0]);
                histogram.put("grouping_enum", parts[1]);
            }
            histogram.set("bins", binsJson.deepCopy());
            histogram.set("counts", entry.getValue().json());
        }
        return result;
    }

    /** The pooled min and max of y over the rows complete in y and the grouping variables. */
    private static double[] range(FederationContext federation, HistogramQuery.Builder query, String y, List<Cde> groups,
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
        return Problem.badRequest("No row of the selected datasets has a value for every one of " + String.join(", ", used)
                + (input.filter() == null ? "" : " (after the filters)") + "; choose other variables or datasets");
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

        ArrayNode json() {
            ArrayNode out = ResultJson.array();
            for (int b = 0; b < counts.length; b++) {
                if (counts[b] == 0 || withheld[b]) {
                    out.addNull();
                }
                else {
                    out.add(counts[b]);
                }
            }
            return out;
        }
    }
}
