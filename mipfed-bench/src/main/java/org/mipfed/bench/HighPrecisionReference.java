package org.mipfed.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import org.mipfed.node.store.DataStore;

/**
 * The least-squares coefficients of {@code y} on the given numerical covariates over the pooled
 * rows complete in all of them, computed independently of mipfed's primitives: the rows are
 * streamed once, every sum and cross-product is accumulated in double-double arithmetic (about 32
 * significant digits; products split exactly with fused multiply-add), and the centred normal
 * equations are solved in 40-digit decimals. The reference a federated result is held to.
 */
final class HighPrecisionReference {
    private static final MathContext DIGITS = new MathContext(40);

    private HighPrecisionReference() {}

    /** Intercept first, then one coefficient per covariate, as linear_regression lists them. */
    static double[] ols(DataStore store, String table, List<String> covariates, String y) {
        int p = covariates.size() + 1;
        StringBuilder sql = new StringBuilder("SELECT ");
        StringBuilder complete = new StringBuilder();
        for (int i = 0; i < p; i++) {
            String column = "\"" + (i < p - 1 ? covariates.get(i) : y) + "\"";
            sql.append(i == 0 ? "" : ", ").append("CAST(").append(column).append(" AS DOUBLE)");
            complete.append(i == 0 ? "" : " AND ").append(column).append(" IS NOT NULL");
        }
        sql.append(" FROM \"").append(table).append("\" WHERE ").append(complete);
        // sums[2i], sums[2i+1]: Σ v_i as hi + lo; products likewise for i <= j, row-major.
        double[] sums = new double[2 * p];
        double[] products = new double[p * (p + 1)];
        long n = store.withConnection(connection -> {
            long rows = 0;
            double[] v = new double[p];
            try (PreparedStatement statement = connection.prepareStatement(sql.toString());
                    ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    for (int i = 0; i < p; i++) {
                        v[i] = result.getDouble(i + 1);
                        add(sums, 2 * i, v[i], 0);
                    }
                    int k = 0;
                    for (int i = 0; i < p; i++) {
                        for (int j = i; j < p; j++) {
                            double hi = v[i] * v[j];
                            add(products, k, hi, Math.fma(v[i], v[j], -hi));
                            k += 2;
                        }
                    }
                    rows++;
                }
            }
            return rows;
        });
        BigDecimal count = BigDecimal.valueOf(n);
        BigDecimal[] mean = new BigDecimal[p];
        for (int i = 0; i < p; i++) {
            mean[i] = exact(sums, 2 * i).divide(count, DIGITS);
        }
        // Centred co-moments C_ij = Σ v_i v_j - n m_i m_j.
        BigDecimal[][] c = new BigDecimal[p][p];
        int k = 0;
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                c[i][j] = exact(products, k)
                        .subtract(count.multiply(mean[i], DIGITS).multiply(mean[j], DIGITS), DIGITS);
                c[j][i] = c[i][j];
                k += 2;
            }
        }
        int q = p - 1;
        BigDecimal[][] a = new BigDecimal[q][q + 1];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j < q; j++) {
                a[i][j] = c[i][j];
            }
            a[i][q] = c[i][q];
        }
        BigDecimal[] beta = solve(a);
        double[] out = new double[p];
        BigDecimal intercept = mean[q];
        for (int i = 0; i < q; i++) {
            out[i + 1] = beta[i].doubleValue();
            intercept = intercept.subtract(beta[i].multiply(mean[i], DIGITS), DIGITS);
        }
        out[0] = intercept.doubleValue();
        return out;
    }

    /** Adds hi + lo to the double-double at {@code at} (Knuth's two-sum; the error terms are summed). */
    private static void add(double[] dd, int at, double hi, double lo) {
        double s = dd[at] + hi;
        double bb = s - dd[at];
        double err = (dd[at] - (s - bb)) + (hi - bb);
        double low = dd[at + 1] + err + lo;
        double high = s + low;
        dd[at + 1] = low - (high - s);
        dd[at] = high;
    }

    private static BigDecimal exact(double[] dd, int at) {
        return new BigDecimal(dd[at]).add(new BigDecimal(dd[at + 1]));
    }

    /** Gauss-Jordan elimination with partial pivoting on an augmented matrix. */
    private static BigDecimal[] solve(BigDecimal[][] a) {
        int q = a.length;
        for (int col = 0; col < q; col++) {
            int pivot = col;
            for (int r = col + 1; r < q; r++) {
                if (a[r][col].abs().compareTo(a[pivot][col].abs()) > 0) {
                    pivot = r;
                }
            }
            BigDecimal[] swap = a[col];
            a[col] = a[pivot];
            a[pivot] = swap;
            for (int r = 0; r < q; r++) {
                if (r != col && a[r][col].signum() != 0) {
                    BigDecimal f = a[r][col].divide(a[col][col], DIGITS);
                    for (int j = col; j <= q; j++) {
                        a[r][j] = a[r][j].subtract(f.multiply(a[col][j], DIGITS), DIGITS);
                    }
                }
            }
        }
        BigDecimal[] x = new BigDecimal[q];
        for (int i = 0; i < q; i++) {
            x[i] = a[i][q].divide(a[i][i], DIGITS);
        }
        return x;
    }
}
