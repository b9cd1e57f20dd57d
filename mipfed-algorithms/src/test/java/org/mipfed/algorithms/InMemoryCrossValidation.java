package org.mipfed.algorithms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.proto.v1.ClassSummary;
import org.mipfed.proto.v1.ClassSummaryQuery;
import org.mipfed.proto.v1.ClassSummaryResult;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.LevelCounts;
import org.mipfed.proto.v1.LinearScore;
import org.mipfed.proto.v1.LogisticScore;
import org.mipfed.proto.v1.ModelScoreQuery;
import org.mipfed.proto.v1.ModelScoreResult;
import org.mipfed.proto.v1.NaiveBayesScore;
import org.mipfed.proto.v1.PrimitiveResult;

/** {@code model_score} and {@code class_summary} computed the plain way over a node's rows in memory. */
final class InMemoryCrossValidation {
    private InMemoryCrossValidation() {}

    static PrimitiveResult score(ModelScoreQuery query, List<Map<String, Object>> selected, int minRows) {
        ModelScoreResult.Builder out = ModelScoreResult.newBuilder();
        Set<String> used = new LinkedHashSet<>(query.getCompleteInList());
        switch (query.getModelCase()) {
            case LINEAR -> {
                LinearScore model = query.getLinear();
                model.getColumnsList().forEach(c -> used.add(c.getVariable()));
                used.add(model.getResponse().getVariable());
                List<Map<String, Object>> rows = complete(selected, used);
                double sum = 0;
                for (Map<String, Object> row : rows) {
                    double y = (Double) row.get(model.getResponse().getVariable());
                    double r = y - eta(model.getColumnsList(), model.getBetaList(), row);
                    out.setSse(out.getSse() + r * r).setSae(out.getSae() + Math.abs(r));
                    sum += y;
                }
                double mean = rows.isEmpty() ? 0 : sum / rows.size();
                double m2 = 0;
                for (Map<String, Object> row : rows) {
                    double d = (Double) row.get(model.getResponse().getVariable()) - mean;
                    m2 += d * d;
                }
                out.setN(rows.size()).setMeanY(mean).setM2Y(m2);
            }
            case LOGISTIC -> {
                LogisticScore model = query.getLogistic();
                model.getColumnsList().forEach(c -> used.add(c.getVariable()));
                used.add(model.getResponse().getVariable());
                List<Map<String, Object>> rows = complete(selected, used);
                long[] tp = new long[model.getThresholdsCount()];
                long[] fp = new long[model.getThresholdsCount()];
                long positives = 0;
                for (Map<String, Object> row : rows) {
                    boolean positive = value(model.getResponse(), row) == 1;
                    positives += positive ? 1 : 0;
                    double p = 1 / (1 + Math.exp(-eta(model.getColumnsList(), model.getBetaList(), row)));
                    for (int t = 0; t < tp.length; t++) {
                        if (p > model.getThresholds(t)) {
                            if (positive) {
                                tp[t]++;
                            } else {
                                fp[t]++;
                            }
                        }
                    }
                }
                out.setN(rows.size()).setPositives(positives);
                for (int t = 0; t < tp.length; t++) {
                    out.addTruePositives(tp[t]).addFalsePositives(fp[t]);
                }
            }
            case NAIVE_BAYES -> {
                NaiveBayesScore model = query.getNaiveBayes();
                used.add(model.getResponse());
                used.addAll(model.getNumericalList());
                model.getNominalList().forEach(f -> used.add(f.getVariable()));
                List<Map<String, Object>> rows = complete(selected, used);
                int k = model.getClassesCount();
                int d = model.getNumericalCount();
                long[] confusion = new long[k * k];
                for (Map<String, Object> row : rows) {
                    int best = 0;
                    double bestScore = Double.NEGATIVE_INFINITY;
                    for (int c = 0; c < k; c++) {
                        double s = model.getLogPrior(c);
                        for (int j = 0; j < d; j++) {
                            double var = model.getVar(c * d + j);
                            double x = (Double) row.get(model.getNumerical(j));
                            double theta = model.getTheta(c * d + j);
                            s -= 0.5 * (Math.log(2 * Math.PI) + Math.log(var)) + (x - theta) * (x - theta) / (2 * var);
                        }
                        for (var feature : model.getNominalList()) {
                            int t = feature.getLevelsList()
                                    .indexOf(row.get(feature.getVariable()).toString());
                            s += feature.getLogProbability(c * feature.getLevelsCount() + t);
                        }
                        if (s > bestScore) {
                            best = c;
                            bestScore = s;
                        }
                    }
                    int actual = model.getClassesList()
                            .indexOf(row.get(model.getResponse()).toString());
                    if (actual >= 0) {
                        confusion[actual * k + best]++;
                    }
                }
                out.setN(rows.size());
                for (long count : confusion) {
                    out.addConfusion(count);
                }
            }
            default -> throw new IllegalArgumentException("no model");
        }
        check(out.getN(), minRows);
        return PrimitiveResult.newBuilder()
                .setRowsUsed(out.getN())
                .setModelScore(out)
                .build();
    }

    static PrimitiveResult classSummary(ClassSummaryQuery query, List<Map<String, Object>> selected, int minRows) {
        Set<String> used = new LinkedHashSet<>();
        used.add(query.getResponse());
        used.addAll(query.getNumericalList());
        used.addAll(query.getNominalList());
        used.addAll(query.getCompleteInList());
        List<Map<String, Object>> rows = complete(selected, used);
        check(rows.size(), minRows);
        Map<String, List<Map<String, Object>>> byClass = new TreeMap<>();
        rows.forEach(r -> byClass.computeIfAbsent(r.get(query.getResponse()).toString(), c -> new ArrayList<>())
                .add(r));
        ClassSummaryResult.Builder out = ClassSummaryResult.newBuilder().setN(rows.size());
        byClass.forEach((level, members) -> {
            ClassSummary.Builder summary =
                    ClassSummary.newBuilder().setLevel(level).setN(members.size());
            for (String variable : query.getNumericalList()) {
                double mean = members.stream()
                                .mapToDouble(r -> (Double) r.get(variable))
                                .sum()
                        / members.size();
                summary.addMean(mean)
                        .addM2(members.stream()
                                .mapToDouble(r -> ((Double) r.get(variable) - mean) * ((Double) r.get(variable) - mean))
                                .sum());
            }
            for (String variable : query.getNominalList()) {
                Map<String, Long> counts = new TreeMap<>();
                members.forEach(r -> counts.merge(r.get(variable).toString(), 1L, Long::sum));
                summary.addNominal(
                        LevelCounts.newBuilder().addAllLevels(counts.keySet()).addAllCounts(counts.values()));
            }
            out.addClasses(summary);
        });
        return PrimitiveResult.newBuilder()
                .setRowsUsed(rows.size())
                .setClassSummary(out)
                .build();
    }

    private static double eta(List<GlmColumn> columns, List<Double> beta, Map<String, Object> row) {
        double eta = beta.get(0);
        for (int i = 0; i < columns.size(); i++) {
            eta += beta.get(i + 1) * value(columns.get(i), row);
        }
        return eta;
    }

    private static double value(GlmColumn column, Map<String, Object> row) {
        Object value = row.get(column.getVariable());
        return column.getLevel().isEmpty() ? (Double) value : column.getLevel().equals(value.toString()) ? 1 : 0;
    }

    private static List<Map<String, Object>> complete(List<Map<String, Object>> rows, Set<String> variables) {
        return rows.stream()
                .filter(r -> variables.stream().allMatch(v -> r.get(v) != null))
                .toList();
    }

    private static void check(long n, int minRows) {
        if (n > 0 && n < minRows) {
            throw new IllegalStateException("fewer than " + minRows + " rows");
        }
    }
}
