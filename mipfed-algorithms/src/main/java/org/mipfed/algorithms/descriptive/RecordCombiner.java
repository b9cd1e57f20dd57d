package org.mipfed.algorithms.descriptive;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        } else {
            moments = moments.combine(moments(summary));
        }
    }

    boolean isEmpty() {
        return records == 0;
    }

    /** The "all datasets" data: sums, exactly combined mean and std, and no quartiles. */
    DescriptiveStatsResult.Data data() {
        if (cde.categorical()) {
            return new DescriptiveStatsResult.Nominal(numDtps, numNa, numTotal, present(cde, counts));
        }
        return new DescriptiveStatsResult.Numerical(
                numDtps,
                numNa,
                numTotal,
                moments.mean(),
                moments.sampleStd(),
                moments.min(),
                null,
                null,
                null,
                moments.max());
    }

    /** One dataset's data. */
    static DescriptiveStatsResult.Data datasetData(Cde cde, VariableSummary summary) {
        if (cde.categorical()) {
            return new DescriptiveStatsResult.Nominal(
                    summary.getNumDtps(),
                    summary.getNumNa(),
                    summary.getNumTotal(),
                    present(cde, summary.getCountsMap()));
        }
        NumericalSummary numerical = summary.getNumerical();
        boolean any = summary.getNumDtps() > 0;
        return new DescriptiveStatsResult.Numerical(
                summary.getNumDtps(),
                summary.getNumNa(),
                summary.getNumTotal(),
                any ? numerical.getMean() : Double.NaN,
                moments(summary).sampleStd(),
                any ? numerical.getMin() : Double.NaN,
                any ? numerical.getQ1() : Double.NaN,
                any ? numerical.getQ2() : Double.NaN,
                any ? numerical.getQ3() : Double.NaN,
                any ? numerical.getMax() : Double.NaN);
    }

    private static Moments moments(VariableSummary summary) {
        if (summary.getNumDtps() == 0) {
            return Moments.EMPTY;
        }
        NumericalSummary n = summary.getNumerical();
        return new Moments(summary.getNumDtps(), n.getMean(), n.getM2(), n.getMin(), n.getMax());
    }

    /** Levels present (count above zero), in the data model's order, then any others alphabetically. */
    private static Map<String, Long> present(Cde cde, Map<String, Long> levelCounts) {
        List<String> order = new ArrayList<>(cde.enumerations().keySet());
        List<String> others = new ArrayList<>(levelCounts.keySet());
        others.removeAll(order);
        others.sort(Comparator.naturalOrder());
        order.addAll(others);
        Map<String, Long> present = new LinkedHashMap<>();
        for (String level : order) {
            Long count = levelCounts.get(level);
            if (count != null && count > 0) {
                present.put(level, count);
            }
        }
        return present;
    }
}
