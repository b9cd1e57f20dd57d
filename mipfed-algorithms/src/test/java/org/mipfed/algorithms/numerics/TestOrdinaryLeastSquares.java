package org.mipfed.algorithms.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.apache.commons.math3.stat.regression.OLSMultipleLinearRegression;
import org.junit.jupiter.api.Test;

class TestOrdinaryLeastSquares {
    /** The same fit as Commons Math's QR-based OLS on the raw rows, from cross-products pooled over three parts. */
    @Test
    void matchesQrOnTheRawRows() {
        Random random = new Random(42);
        int n = 200;
        double[][] x = new double[n][3];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i][0] = 1500 + 100 * random.nextGaussian();
            x[i][1] = random.nextBoolean() ? 1 : 0;
            x[i][2] = 0.5 + 0.1 * random.nextGaussian();
            y[i] = 3 + 0.002 * x[i][0] - 0.4 * x[i][1] + 2 * x[i][2] + 0.3 * random.nextGaussian();
        }
        CrossProducts pooled =
                crossProducts(x, y, 0, 70).combine(crossProducts(x, y, 70, 71)).combine(crossProducts(x, y, 71, n));
        OlsFit fit = OrdinaryLeastSquares.fit(pooled);

        OLSMultipleLinearRegression qr = new OLSMultipleLinearRegression();
        qr.newSampleData(y, x);
        double[] beta = qr.estimateRegressionParameters();
        double[] se = qr.estimateRegressionParametersStandardErrors();
        for (int i = 0; i < beta.length; i++) {
            assertThat(fit.coefficients()[i]).isCloseTo(beta[i], within(1e-9 * Math.max(1, Math.abs(beta[i]))));
            assertThat(fit.standardErrors()[i]).isCloseTo(se[i], within(1e-9 * se[i]));
        }
        assertThat(fit.rSquared()).isCloseTo(qr.calculateRSquared(), within(1e-12));
        assertThat(fit.rSquaredAdjusted()).isCloseTo(qr.calculateAdjustedRSquared(), within(1e-12));
        assertThat(fit.dfResid()).isEqualTo(n - 4.0);
        assertThat(fit.dfModel()).isEqualTo(3.0);
        assertThat(fit.rse()).isCloseTo(qr.estimateRegressionStandardError(), within(1e-12));
    }

    @Test
    void refusesACollinearColumnAndSaysWhich() {
        double[][] x = {{1, 2, 5}, {2, 4, 1}, {3, 6, 2}, {4, 8, 7}, {5, 10, 3}};
        double[] y = {1, 3, 2, 5, 4};
        assertThatThrownBy(() -> OrdinaryLeastSquares.fit(crossProducts(x, y, 0, 5)))
                .isInstanceOfSatisfying(CollinearColumnException.class, e -> {
                    assertThat(e.column()).isEqualTo(1);
                    assertThat(e.constant()).isFalse();
                });
    }

    @Test
    void refusesAConstantColumn() {
        double[][] x = {{1, 7}, {2, 7}, {3, 7}, {4, 7}};
        double[] y = {1, 3, 2, 5};
        assertThatThrownBy(() -> OrdinaryLeastSquares.fit(crossProducts(x, y, 0, 4)))
                .isInstanceOfSatisfying(CollinearColumnException.class, e -> {
                    assertThat(e.column()).isEqualTo(1);
                    assertThat(e.constant()).isTrue();
                });
    }

    @Test
    void needsMoreRowsThanCoefficients() {
        double[][] x = {{1}, {2}};
        double[] y = {1, 3};
        assertThatThrownBy(() -> OrdinaryLeastSquares.fit(crossProducts(x, y, 0, 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Two-pass cross-products of rows [from, to) of (x | y). */
    static CrossProducts crossProducts(double[][] x, double[] y, int from, int to) {
        int p = x[0].length + 1;
        double[][] rows = new double[to - from][];
        for (int i = from; i < to; i++) {
            rows[i - from] = Arrays.copyOf(x[i], p);
            rows[i - from][p - 1] = y[i];
        }
        double[] means = new double[p];
        for (double[] row : rows) {
            for (int j = 0; j < p; j++) {
                means[j] += row[j] / rows.length;
            }
        }
        double[] c = new double[p * p];
        for (double[] row : rows) {
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    c[i * p + j] += (row[i] - means[i]) * (row[j] - means[j]);
                }
            }
        }
        return new CrossProducts(rows.length, means, c);
    }
}
