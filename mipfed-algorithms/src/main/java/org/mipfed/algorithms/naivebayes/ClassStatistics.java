package org.mipfed.algorithms.naivebayes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.ClassSummary;
import org.mipfed.proto.v1.ClassSummaryQuery;
import org.mipfed.proto.v1.LevelCounts;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * The {@code class_summary} of every node pooled: per class of the response present in the selected
 * rows, its count, each numerical feature's mean and centred sum of squares (combined exactly, as
 * Chan et al.'s parallel formula does), and each nominal feature's level counts.
 *
 * @param classes by level, in code point order
 */
record ClassStatistics(long n, Map<String, Group> classes) {
    /** One class: count, means and sums of squares per numerical feature, level counts per nominal feature. */
    record Group(long n, double[] mean, double[] m2, List<Map<String, Long>> levels) {}

    static ClassStatistics compute(
            FederationContext federation,
            String response,
            List<String> numerical,
            List<String> nominal,
            List<String> completeIn) {
        List<NodeAnswer> answers = federation.compute(PrimitiveQuery.newBuilder()
                .setClassSummary(ClassSummaryQuery.newBuilder()
                        .setResponse(response)
                        .addAllNumerical(numerical)
                        .addAllNominal(nominal)
                        .addAllCompleteIn(completeIn)));
        Map<String, Group> classes = new TreeMap<>();
        long total = 0;
        for (NodeAnswer answer : answers) {
            for (ClassSummary summary : answer.result().getClassSummary().getClassesList()) {
                if (summary.getMeanCount() != numerical.size() || summary.getNominalCount() != nominal.size()) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "The node " + answer.node() + " summarised "
                                    + summary.getMeanCount() + " numerical and " + summary.getNominalCount()
                                    + " nominal features, but "
                                    + numerical.size() + " and " + nominal.size() + " were asked for");
                }
                Group mine = group(summary);
                classes.merge(summary.getLevel(), mine, ClassStatistics::combine);
                total += summary.getN();
            }
        }
        return new ClassStatistics(total, classes);
    }

    private static Group group(ClassSummary summary) {
        double[] mean =
                summary.getMeanList().stream().mapToDouble(Double::doubleValue).toArray();
        double[] m2 =
                summary.getM2List().stream().mapToDouble(Double::doubleValue).toArray();
        List<Map<String, Long>> levels = new ArrayList<>();
        for (LevelCounts counts : summary.getNominalList()) {
            Map<String, Long> map = new TreeMap<>();
            for (int i = 0; i < counts.getLevelsCount(); i++) {
                map.put(counts.getLevels(i), counts.getCounts(i));
            }
            levels.add(map);
        }
        return new Group(summary.getN(), mean, m2, levels);
    }

    private static Group combine(Group a, Group b) {
        long n = a.n() + b.n();
        double[] mean = new double[a.mean().length];
        double[] m2 = new double[a.m2().length];
        for (int j = 0; j < mean.length; j++) {
            double delta = b.mean()[j] - a.mean()[j];
            mean[j] = a.mean()[j] + delta * b.n() / n;
            m2[j] = a.m2()[j] + b.m2()[j] + delta * delta * a.n() * b.n() / n;
        }
        List<Map<String, Long>> levels = new ArrayList<>();
        for (int f = 0; f < a.levels().size(); f++) {
            Map<String, Long> map = new TreeMap<>(a.levels().get(f));
            b.levels().get(f).forEach((level, count) -> map.merge(level, count, Long::sum));
            levels.add(map);
        }
        return new Group(n, mean, m2, levels);
    }
}
