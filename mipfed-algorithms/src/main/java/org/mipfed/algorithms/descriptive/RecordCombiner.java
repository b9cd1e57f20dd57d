package org.mipfed.algorithms.descriptive;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.support.ResultJson;
import org.mipfed.algorithms.numerics.Moments;
import org.mipfed.core.model.Cde;
import org.mipfed.proto.v1.NumericalSummary;
import org.mipfed.proto.v1.VariableSummary;

/** Turns per-dataset summaries of one variable into record data, and combines them into "all datasets". */
final class RecordCombiner {
    private final Cde cde;
    private int records;
    private long numDtps;
    private long numNa;
    private long numTotal;
    private Moments moments = Moments.EMPTY;
    private final Map<String, Long> counts = new LinkedHashMap<>();

    RecordCombiner(Cde cde) {
        this.cde = requireNonNull(cde, "cde is null");
    }

    void add(VariableSummary summary) {
        records++;
        numDtps += summary.getNumDtps();
        numNa += summary.getNumNa();
        numTotal += summary.getNumTotal();
        if (cde.categorical()) {
            summary.getCountsMap().forEach((level, count) -> counts.merge(level, count, Long::sum));
        }
        else {
            moments = moments.combine(moments(summary));
        }
    }

    boolean isEmpty() {
        return records == 0;
    }

    /** The "all datasets" data: sums, exactly combined mean and std, and no quartiles. */
    ObjectNode data() {
        ObjectNode data = counts(numDtps, numNa, numTotal);
        if (cde.categorical()) {
            data.set("counts", countsNode(cde, counts));
            return data;
        }
        ResultJson.put(data, "mean", moments.mean());
        ResultJson.put(data, "std", moments.sampleStd());
        ResultJson.put(data, "min", moments.min());
        data.putNull("q1");
        data.putNull("q2");
        data.putNull("q3");
        ResultJson.put(data, "max", moments.max());
        return data;
    }

    /** One dataset's data, in Exareme2's field order. */
    static ObjectNode datasetData(Cde cde, VariableSummary summary) {
        ObjectNode data = counts(summary.getNumDtps(), summary.getNumNa(), summary.getNumTotal());
        if (cde.categorical()) {
            data.set("counts", countsNode(cde, summary.getCountsMap()));
            return data;
        }
        NumericalSummary numerical = summary.getNumerical();
        Moments moments = moments(summary);
        boolean any = summary.getNumDtps() > 0;
        ResultJson.put(data, "mean", any ? numerical.getMean() : Double.NaN);
        ResultJson.put(data, "std", moments.sampleStd());
        ResultJson.put(data, "min", any ? numerical.getMin() : Double.NaN);
        ResultJson.put(data, "q1", any ? numerical.getQ1() : Double.NaN);
        ResultJson.put(data, "q2", any ? numerical.getQ2() : Double.NaN);
        ResultJson.put(data, "q3", any ? numerical.getQ3() : Double.NaN);
        ResultJson.put(data, "max", any ? numerical.getMax() : Double.NaN);
        return data;
    }

    private static Moments moments(VariableSummary summary) {
        if (summary.getNumDtps() == 0) {
            return Moments.EMPTY;
        }
        NumericalSummary n = summary.getNumerical();
        return new Moments(summary.getNumDtps(), n.getMean(), n.getM2(), n.getMin(), n.getMax());
    }

    private static ObjectNode counts(long numDtps, long numNa, long numTotal) {
        ObjectNode data = ResultJson.object();
        data.put("num_dtps", numDtps);
        data.put("num_na", numNa);
        data.put("num_total", numTotal);
        return data;
    }

    /** Levels present (count above zero), in the data model's order, then any others alphabetically. */
    private static ObjectNode countsNode(Cde cde, Map<String, Long> levelCounts) {
        List<String> order = new ArrayList<>(cde.enumerations().keySet());
        List<String> others = new ArrayList<>(levelCounts.keySet());
        others.removeAll(order);
        others.sort(Comparator.naturalOrder());
        order.addAll(others);
        ObjectNode node = ResultJson.object();
        for (String level : order) {
            Long count = levelCounts.get(level);
            if (count != null && count > 0) {
                node.put(level, count);
            }
        }
        return node;
    }
}
