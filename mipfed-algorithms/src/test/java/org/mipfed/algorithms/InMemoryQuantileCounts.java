package org.mipfed.algorithms;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.QuantileCountsQuery;
import org.mipfed.proto.v1.QuantileCountsResult;
import org.mipfed.proto.v1.ThresholdCount;

/** The {@code quantile_counts} primitive of {@link InMemoryNode}, the plain way: one pass over the values per threshold. */
final class InMemoryQuantileCounts {
    private InMemoryQuantileCounts() {}

    static PrimitiveResult compute(QuantileCountsQuery query, List<Map<String, Object>> rows, int minRows) {
        double[] values = rows.stream()
                .filter(row -> row.get(query.getVariable()) != null
                        && query.getCompleteInList().stream().allMatch(v -> row.get(v) != null))
                .mapToDouble(row -> ((Number) row.get(query.getVariable())).doubleValue())
                .toArray();
        long n = values.length;
        if (n > 0 && n < minRows) {
            throw Problem.badRequest("Only " + n + " rows with '" + query.getVariable() + "' (rule min_rows)");
        }
        QuantileCountsResult.Builder result = QuantileCountsResult.newBuilder()
                .setN(n)
                .setMin(n == 0 ? Double.NaN : Arrays.stream(values).min().orElseThrow())
                .setMax(n == 0 ? Double.NaN : Arrays.stream(values).max().orElseThrow());
        for (double t : query.getThresholdsList()) {
            long below = 0;
            double largest = Double.NaN;
            double smallest = Double.NaN;
            for (double v : values) {
                if (v <= t) {
                    below++;
                    largest = Double.isNaN(largest) ? v : Math.max(largest, v);
                } else {
                    smallest = Double.isNaN(smallest) ? v : Math.min(smallest, v);
                }
            }
            result.addCounts(ThresholdCount.newBuilder()
                    .setAtOrBelow(below)
                    .setLargestAtOrBelow(largest)
                    .setSmallestAbove(smallest));
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(n)
                .setQuantileCounts(result)
                .build();
    }
}
