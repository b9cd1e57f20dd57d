package org.mipfed.node.primitive;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.mipfed.node.store.TestStore;

/**
 * The dementia rows as plain Java maps, read straight from the CSV files (which have no quoted
 * cells), so expected figures are computed with no help from the code under test.
 */
final class DementiaRows {
    private final List<Map<String, String>> rows = new ArrayList<>();

    DementiaRows() {
        for (String file : TestStore.dementiaFiles()) {
            String[] lines = TestStore.resource(file).split("\r?\n");
            String[] header = lines[0].split(",", -1);
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].isEmpty()) {
                    continue;
                }
                String[] cells = lines[i].split(",", -1);
                Map<String, String> row = new HashMap<>();
                for (int c = 0; c < header.length; c++) {
                    if (!cells[c].isEmpty()) {
                        row.put(header[c], cells[c]);
                    }
                }
                rows.add(row);
            }
        }
    }

    int size() {
        return rows.size();
    }

    List<Map<String, String>> select(Collection<String> datasets, Predicate<Map<String, String>> filter) {
        return rows.stream()
                .filter(r -> datasets.contains(r.get("dataset")))
                .filter(filter)
                .toList();
    }

    static Double number(Map<String, String> row, String variable) {
        String text = row.get(variable);
        return text == null ? null : Double.valueOf(text);
    }

    static boolean complete(Map<String, String> row, Collection<String> variables) {
        return variables.stream().allMatch(row::containsKey);
    }

    static double[] values(List<Map<String, String>> rows, String variable) {
        return rows.stream()
                .map(r -> number(r, variable))
                .filter(v -> v != null)
                .mapToDouble(Double::doubleValue)
                .toArray();
    }

    static double mean(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return sum / xs.length;
    }

    static double m2(double[] xs) {
        double mean = mean(xs);
        double sum = 0;
        for (double x : xs) {
            sum += (x - mean) * (x - mean);
        }
        return sum;
    }

    /** Linear interpolation between order statistics, as pandas' default and SQL's percentile_cont. */
    static double quantile(double[] xs, double p) {
        double[] sorted = xs.clone();
        Arrays.sort(sorted);
        double h = (sorted.length - 1) * p;
        int low = (int) Math.floor(h);
        return low + 1 < sorted.length ? sorted[low] + (h - low) * (sorted[low + 1] - sorted[low]) : sorted[low];
    }
}
