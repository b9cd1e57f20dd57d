package org.mipfed.algorithms.numerics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TestCrossProducts {
    private static final double[][] X = {{1, 10}, {2, 30}, {3, 20}, {4, 50}, {5, 40}, {6, 70}};
    private static final double[] Y = {2, 1, 4, 3, 6, 5};

    @Test
    void combiningPartsEqualsTheWhole() {
        CrossProducts whole = TestOrdinaryLeastSquares.crossProducts(X, Y, 0, 6);
        CrossProducts parts = CrossProducts.empty(3)
                .combine(TestOrdinaryLeastSquares.crossProducts(X, Y, 0, 1))
                .combine(TestOrdinaryLeastSquares.crossProducts(X, Y, 1, 4))
                .combine(CrossProducts.empty(3))
                .combine(TestOrdinaryLeastSquares.crossProducts(X, Y, 4, 6));
        assertThat(parts.n()).isEqualTo(6);
        for (int i = 0; i < 3; i++) {
            assertThat(parts.mean(i)).isCloseTo(whole.mean(i), within(1e-12));
            for (int j = 0; j < 3; j++) {
                assertThat(parts.comoment(i, j)).isCloseTo(whole.comoment(i, j), within(1e-10));
            }
        }
    }

    @Test
    void selectsColumns() {
        CrossProducts whole = TestOrdinaryLeastSquares.crossProducts(X, Y, 0, 6);
        CrossProducts selected = whole.select(2, 0);
        assertThat(selected.columns()).isEqualTo(2);
        assertThat(selected.mean(0)).isEqualTo(whole.mean(2));
        assertThat(selected.comoment(0, 1)).isEqualTo(whole.comoment(2, 0));
        assertThat(selected.comoment(1, 1)).isEqualTo(whole.comoment(0, 0));
    }
}
