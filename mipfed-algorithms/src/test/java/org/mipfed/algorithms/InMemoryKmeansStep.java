package org.mipfed.algorithms;

import java.util.List;
import java.util.Map;
import org.mipfed.proto.v1.KmeansCluster;
import org.mipfed.proto.v1.KmeansStepQuery;
import org.mipfed.proto.v1.KmeansStepResult;
import org.mipfed.proto.v1.PrimitiveResult;

/** The {@code kmeans_step} primitive over in-memory rows, the plain way, as the node's SQL must compute it. */
final class InMemoryKmeansStep {
    private InMemoryKmeansStep() {}

    static PrimitiveResult compute(KmeansStepQuery query, List<Map<String, Object>> rows, int minRows) {
        List<String> variables = query.getVariablesList();
        int d = variables.size();
        List<double[]> points = rows.stream()
                .filter(r -> variables.stream().allMatch(v -> r.get(v) != null))
                .map(r -> variables.stream().mapToDouble(v -> (Double) r.get(v)).toArray())
                .toList();
        KmeansStepResult.Builder result = KmeansStepResult.newBuilder().setN(points.size());
        if (points.isEmpty()) {
            return PrimitiveResult.newBuilder().setKmeansStep(result).build();
        }
        double[] centres =
                query.getCentresList().stream().mapToDouble(Double::doubleValue).toArray();
        if (centres.length == 0) {
            for (int j = 0; j < d; j++) {
                int column = j;
                result.addMin(points.stream().mapToDouble(p -> p[column]).min().orElseThrow());
                result.addMax(points.stream().mapToDouble(p -> p[column]).max().orElseThrow());
            }
            return PrimitiveResult.newBuilder()
                    .setRowsUsed(points.size())
                    .setKmeansStep(result)
                    .build();
        }
        int k = centres.length / d;
        long[] counts = new long[k];
        double[][] sums = new double[k][d];
        double[] within = new double[k];
        for (double[] point : points) {
            int best = 0;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double distance = 0;
                for (int j = 0; j < d; j++) {
                    double delta = point[j] - centres[c * d + j];
                    distance += delta * delta;
                }
                if (distance < bestDistance) {
                    best = c;
                    bestDistance = distance;
                }
            }
            counts[best]++;
            within[best] += bestDistance;
            for (int j = 0; j < d; j++) {
                sums[best][j] += point[j];
            }
        }
        for (int c = 0; c < k; c++) {
            KmeansCluster.Builder cluster = KmeansCluster.newBuilder();
            if (counts[c] > 0 && counts[c] < minRows) {
                cluster.setSuppressed(true);
                for (int j = 0; j < d; j++) {
                    cluster.addSums(0);
                }
            } else {
                cluster.setCount(counts[c]).setWithinSs(within[c]);
                for (double sum : sums[c]) {
                    cluster.addSums(sum);
                }
            }
            result.addClusters(cluster);
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(points.size())
                .setKmeansStep(result)
                .build();
    }
}
