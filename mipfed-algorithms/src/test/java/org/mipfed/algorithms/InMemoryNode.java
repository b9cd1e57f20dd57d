package org.mipfed.algorithms;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.mipfed.core.request.Folds;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DescribeQuery;
import org.mipfed.proto.v1.DescribeResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.FoldRestriction;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.LevelsResult;
import org.mipfed.proto.v1.NumericalSummary;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableLevels;
import org.mipfed.proto.v1.VariableSummary;

/**
 * A hospital node in memory: computes the primitives over its rows the plain way (two passes, sorting
 * for quartiles), as a reference for what the real node's SQL must return.
 *
 * @param datasets rows by dataset code
 * @param minRows the privacy threshold: a summary over fewer values is suppressed
 */
public record InMemoryNode(String name, Map<String, List<Map<String, Object>>> datasets, int minRows) {
    public InMemoryNode {
        requireNonNull(name, "name is null");
        datasets = Map.copyOf(datasets);
    }

    public PrimitiveResult compute(PrimitiveQuery query) {
        return switch (query.getPrimitiveCase()) {
            case DESCRIBE -> describe(query);
            case LEVELS -> levels(query);
            case CROSS_PRODUCTS -> crossProducts(query);
            case HISTOGRAM -> InMemoryHistogram.compute(query, rows(query), minRows);
            case KMEANS_STEP -> InMemoryKmeansStep.compute(query.getKmeansStep(), rows(query), minRows);
            case MOMENTS -> InMemoryMoments.compute(query.getMoments(), rows(query), minRows);
            case GLM_STEP -> InMemoryGlm.compute(this, query);
            case SURVIVAL_COUNTS ->
                InMemorySurvival.compute(TestData.dementiaModel(), query.getSurvivalCounts(), rows(query), minRows);
            case COX_STEP -> InMemoryCox.compute(TestData.dementiaModel(), query.getCoxStep(), rows(query), minRows);
            case MODEL_SCORE -> InMemoryCrossValidation.score(query.getModelScore(), rows(query), minRows);
            case CLASS_SUMMARY -> InMemoryCrossValidation.classSummary(query.getClassSummary(), rows(query), minRows);
            case QUANTILE_COUNTS -> InMemoryQuantileCounts.compute(query.getQuantileCounts(), rows(query), minRows);
            default -> throw new IllegalArgumentException("unsupported primitive " + query.getPrimitiveCase());
        };
    }

    /** The rows of a dataset the query selects: its filter, and its fold restriction by each row's position in the dataset. */
    private List<Map<String, Object>> rows(PrimitiveQuery query, String dataset) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<Map<String, Object>> all = datasets.getOrDefault(dataset, List.of());
        for (int position = 0; position < all.size(); position++) {
            Map<String, Object> row = all.get(position);
            if (query.hasFold()) {
                FoldRestriction fold = query.getFold();
                if ((Folds.fold(dataset, position, fold.getNSplits()) == fold.getFold()) != fold.getTest()) {
                    continue;
                }
            }
            if (RowFilter.matches(query.hasFilter() ? query.getFilter() : null, row)) {
                out.add(row);
            }
        }
        return out;
    }

    /** Every row the query selects, over its datasets. */
    List<Map<String, Object>> rows(PrimitiveQuery query) {
        List<Map<String, Object>> out = new ArrayList<>();
        query.getDatasetsList().forEach(dataset -> out.addAll(rows(query, dataset)));
        return out;
    }

    private static List<Map<String, Object>> complete(List<Map<String, Object>> rows, Iterable<String> variables) {
        List<Map<String, Object>> out = new ArrayList<>();
        outer:
        for (Map<String, Object> row : rows) {
            for (String variable : variables) {
                if (row.get(variable) == null) {
                    continue outer;
                }
            }
            out.add(row);
        }
        return out;
    }

    private PrimitiveResult describe(PrimitiveQuery query) {
        DescribeQuery describe = query.getDescribe();
        List<String> variables = new ArrayList<>(describe.getNumericalList());
        variables.addAll(describe.getNominalList());
        DescribeResult.Builder result = DescribeResult.newBuilder();
        long used = 0;
        for (String dataset : query.getDatasetsList()) {
            List<Map<String, Object>> rows = rows(query, dataset);
            used += rows.size();
            List<Map<String, Object>> completeRows = complete(rows, variables);
            for (String variable : describe.getNumericalList()) {
                result.addVariableBased(numerical(variable, dataset, rows));
                result.addModelBased(numerical(variable, dataset, completeRows));
            }
            for (String variable : describe.getNominalList()) {
                result.addVariableBased(nominal(variable, dataset, rows));
                result.addModelBased(nominal(variable, dataset, completeRows));
            }
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(used)
                .setDescribe(result)
                .build();
    }

    private VariableSummary.Builder summary(
            String variable, String dataset, List<Map<String, Object>> rows, long present) {
        VariableSummary.Builder summary =
                VariableSummary.newBuilder().setVariable(variable).setDataset(dataset);
        if (rows.size() < minRows || present < minRows) {
            return summary.setSuppressed(true);
        }
        return summary.setNumDtps(present).setNumNa(rows.size() - present).setNumTotal(rows.size());
    }

    private VariableSummary numerical(String variable, String dataset, List<Map<String, Object>> rows) {
        double[] values = rows.stream()
                .map(row -> row.get(variable))
                .filter(v -> v != null)
                .mapToDouble(v -> (Double) v)
                .sorted()
                .toArray();
        VariableSummary.Builder summary = summary(variable, dataset, rows, values.length);
        if (summary.getSuppressed() || values.length == 0) {
            return summary.build();
        }
        double mean = Arrays.stream(values).sum() / values.length;
        double m2 = 0;
        for (double v : values) {
            m2 += (v - mean) * (v - mean);
        }
        return summary.setNumerical(NumericalSummary.newBuilder()
                        .setMean(mean)
                        .setM2(m2)
                        .setMin(values[0])
                        .setMax(values[values.length - 1])
                        .setQ1(quantile(values, 0.25))
                        .setQ2(quantile(values, 0.5))
                        .setQ3(quantile(values, 0.75)))
                .build();
    }

    /** pandas' default: linear interpolation between the closest ranks. */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private VariableSummary nominal(String variable, String dataset, List<Map<String, Object>> rows) {
        Map<String, Long> counts = new TreeMap<>();
        long present = 0;
        for (Map<String, Object> row : rows) {
            Object value = row.get(variable);
            if (value != null) {
                counts.merge(value.toString(), 1L, Long::sum);
                present++;
            }
        }
        VariableSummary.Builder summary = summary(variable, dataset, rows, present);
        return summary.getSuppressed()
                ? summary.build()
                : summary.putAllCounts(counts).build();
    }

    private PrimitiveResult levels(PrimitiveQuery query) {
        LevelsQuery levels = query.getLevels();
        List<Map<String, Object>> rows = complete(rows(query), levels.getCompleteInList());
        LevelsResult.Builder result = LevelsResult.newBuilder();
        for (String variable : levels.getNominalList()) {
            Set<String> present = new TreeSet<>();
            rows.forEach(row -> present.add(row.get(variable).toString()));
            result.addVariables(
                    VariableLevels.newBuilder().setVariable(variable).addAllLevels(present));
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(rows.size())
                .setLevels(result)
                .build();
    }

    private PrimitiveResult crossProducts(PrimitiveQuery query) {
        CrossProductsQuery cross = query.getCrossProducts();
        List<DesignColumn> columns = cross.getColumnsList();
        Set<String> variables = new LinkedHashSet<>();
        columns.forEach(column -> variables.add(column.getVariable()));
        variables.addAll(cross.getCompleteInList());
        List<Map<String, Object>> rows = complete(rows(query), variables);
        int p = columns.size();
        int n = rows.size();
        double[][] x = new double[n][p];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < p; c++) {
                DesignColumn column = columns.get(c);
                Object value = rows.get(r).get(column.getVariable());
                x[r][c] = column.getLevel().isEmpty()
                        ? InMemoryTransform.apply(name, column, (Double) value)
                        : (column.getLevel().equals(value) ? 1 : 0);
            }
        }
        double[] means = new double[p];
        for (double[] row : x) {
            for (int c = 0; c < p; c++) {
                means[c] += row[c];
            }
        }
        for (int c = 0; c < p; c++) {
            means[c] = n == 0 ? 0 : means[c] / n;
        }
        double[] comoments = new double[p * p];
        for (double[] row : x) {
            for (int i = 0; i < p; i++) {
                double di = row[i] - means[i];
                for (int j = 0; j < p; j++) {
                    comoments[i * p + j] += di * (row[j] - means[j]);
                }
            }
        }
        CrossProductsResult.Builder result = CrossProductsResult.newBuilder().setN(n);
        Arrays.stream(means).forEach(result::addMeans);
        Arrays.stream(comoments).forEach(result::addComoments);
        return PrimitiveResult.newBuilder()
                .setRowsUsed(n)
                .setCrossProducts(result)
                .build();
    }
}
