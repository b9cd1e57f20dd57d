package org.mipfed.algorithms.numerics;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Multiple-comparison adjustment of p-values, by R's {@code p.adjust} and under its method names: each adjusted p-value
 * is as R computes it for the same vector (NaN, R's NA, stays NaN and does not count among the tests).
 */
public enum PAdjust {
    /** Holm's step-down family-wise error rate control. */
    HOLM("holm"),
    /** Hochberg's step-up family-wise error rate control (valid under independence or positive dependence). */
    HOCHBERG("hochberg"),
    /** Bonferroni's: n p, capped at 1. */
    BONFERRONI("bonferroni"),
    /** Benjamini and Hochberg's false discovery rate. */
    BH("BH"),
    /** Benjamini and Yekutieli's false discovery rate, under any dependence. */
    BY("BY");

    /** The parameter's name in every algorithm that offers it. */
    public static final String PARAMETER = "p_adjust";

    private final String rName;

    PAdjust(String rName) {
        this.rName = rName;
    }

    /** The method's name in R's {@code p.adjust} (and in requests). */
    public String rName() {
        return rName;
    }

    /** The names requests use, as R's. */
    public static List<String> names() {
        return Arrays.stream(values()).map(PAdjust::rName).toList();
    }

    /** The method named {@code name} (R's spelling; any case), or null for "", null or "none". */
    public static PAdjust of(String name) {
        if (name == null || name.isEmpty() || name.equals("none")) {
            return null;
        }
        if (name.equalsIgnoreCase("fdr")) {
            return BH;
        }
        for (PAdjust method : values()) {
            if (method.rName.equalsIgnoreCase(name)) {
                return method;
            }
        }
        throw new IllegalArgumentException("Unknown p-value adjustment '" + name + "'; the methods are none, "
                + String.join(", ", names()) + " (and fdr, R's other name of BH)");
    }

    /** The adjusted p-values of {@code p}, in its order. */
    public double[] adjust(double[] p) {
        int[] present =
                IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).toArray();
        int n = present.length;
        double[] out = new double[p.length];
        Arrays.fill(out, Double.NaN);
        if (n == 0) {
            return out;
        }
        // Stable orders, as R's order(): ties keep their original order.
        Integer[] ascending = Arrays.stream(present).boxed().toArray(Integer[]::new);
        Arrays.sort(ascending, Comparator.comparingDouble(i -> p[i]));
        Integer[] descending = Arrays.stream(present).boxed().toArray(Integer[]::new);
        Arrays.sort(descending, Comparator.comparingDouble((Integer i) -> p[i]).reversed());
        switch (this) {
            case BONFERRONI -> {
                for (int i : present) {
                    out[i] = Math.min(1, n * p[i]);
                }
            }
            case HOLM -> {
                double running = 0;
                for (int k = 0; k < n; k++) {
                    running = Math.max(running, (n - k) * p[ascending[k]]);
                    out[ascending[k]] = Math.min(1, running);
                }
            }
            case HOCHBERG -> stepUp(p, descending, out, k -> (double) (n - (n - k) + 1));
            case BH -> stepUp(p, descending, out, k -> (double) n / (n - k));
            case BY -> {
                double q = 0;
                for (int i = 1; i <= n; i++) {
                    q += 1.0 / i;
                }
                double sum = q;
                stepUp(p, descending, out, k -> sum * n / (n - k));
            }
        }
        return out;
    }

    /** R's pmin(1, cummin(factor(i) × p[o])) along the decreasing order; the k-th of it has rank i = n − k. */
    private static void stepUp(double[] p, Integer[] descending, double[] out, IntToDoubleFunction factor) {
        double running = Double.POSITIVE_INFINITY;
        for (int k = 0; k < descending.length; k++) {
            running = Math.min(running, factor.applyAsDouble(k) * p[descending[k]]);
            out[descending[k]] = Math.min(1, running);
        }
    }
}
