package org.mipfed.algorithms;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.HistogramCounts;
import org.mipfed.proto.v1.HistogramQuery;
import org.mipfed.proto.v1.HistogramResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/** The {@code histogram} primitive over in-memory rows, the plain way, as the node's SQL must compute it. */
final class InMemoryHistogram {
    private InMemoryHistogram() {}

    static PrimitiveResult compute(PrimitiveQuery query, List<Map<String, Object>> rows, int minRows) {
        DataModel model = TestData.dementiaModel();
        if (!model.id().equals(query.getDataModel())) {
            throw new IllegalArgumentException("the in-memory histogram knows only " + model.id());
        }
        HistogramQuery histogram = query.getHistogram();
        Cde variable = model.cde(histogram.getVariable());
        Set<String> used = new LinkedHashSet<>();
        used.add(variable.code());
        used.addAll(histogram.getGroupByList());
        used.addAll(histogram.getCompleteInList());
        List<Map<String, Object>> complete = rows.stream()
                .filter(r -> used.stream().allMatch(v -> r.get(v) != null))
                .toList();
        HistogramResult.Builder result = HistogramResult.newBuilder().setN(complete.size());
        if (complete.isEmpty()) {
            return PrimitiveResult.newBuilder().setHistogram(result).build();
        }
        double[] edges = histogram.getEdgesList().stream()
                .mapToDouble(Double::doubleValue)
                .toArray();
        if (variable.numerical() && edges.length == 0) {
            double[] values = complete.stream()
                    .mapToDouble(r -> (Double) r.get(variable.code()))
                    .toArray();
            result.setMin(Arrays.stream(values).min().orElseThrow())
                    .setMax(Arrays.stream(values).max().orElseThrow());
            return PrimitiveResult.newBuilder()
                    .setRowsUsed(complete.size())
                    .setHistogram(result)
                    .build();
        }
        List<String> levels =
                variable.categorical() ? new ArrayList<>(variable.enumerations().keySet()) : List.of();
        result.addAllLevels(levels);
        int bins = variable.categorical() ? levels.size() : edges.length - 1;
        result.addHistograms(counts(HistogramCounts.newBuilder(), complete, variable, levels, edges, bins, minRows));
        for (String group : histogram.getGroupByList()) {
            for (String level : model.cde(group).enumerations().keySet()) {
                result.addHistograms(counts(
                        HistogramCounts.newBuilder().setGroupVariable(group).setGroupLevel(level),
                        complete.stream()
                                .filter(r -> level.equals(r.get(group)))
                                .toList(),
                        variable,
                        levels,
                        edges,
                        bins,
                        minRows));
            }
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(complete.size())
                .setHistogram(result)
                .build();
    }

    private static HistogramCounts counts(
            HistogramCounts.Builder out,
            List<Map<String, Object>> rows,
            Cde variable,
            List<String> levels,
            double[] edges,
            int bins,
            int minRows) {
        long[] counts = new long[bins];
        for (Map<String, Object> row : rows) {
            Object value = row.get(variable.code());
            if (variable.categorical()) {
                counts[levels.indexOf(value.toString())]++;
                continue;
            }
            double v = (Double) value;
            if (v < edges[0] || v > edges[bins]) {
                continue;
            }
            int bin = 0;
            while (bin + 1 < bins && v >= edges[bin + 1]) {
                bin++;
            }
            counts[bin]++;
        }
        for (long count : counts) {
            boolean withheld = count > 0 && count < minRows;
            out.addCounts(withheld ? 0 : count).addSuppressed(withheld);
        }
        return out.build();
    }
}
