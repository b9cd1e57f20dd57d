package org.mipfed.algorithms.kmeans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TestNumpyRandomState {
    @Test
    void drawsWhatNumpyDraws() {
        // numpy.random.RandomState(123).uniform(low=[0.5, -2.0], high=[1.5, 10.0], size=(3, 2)).tolist()
        double[][] expected = {
            {1.1964691855978615, 1.4336720194045536},
            {0.7268514535642031, 4.615777228994695},
            {1.219468969785563, 3.0772775214935315}
        };
        assertThat(new NumpyRandomState(123).uniform(new double[] {0.5, -2.0}, new double[] {1.5, 10.0}, 3))
                .isEqualTo(expected);
    }

    @Test
    void keepsDrawingPastOneTwistOfTheState() {
        NumpyRandomState random = new NumpyRandomState(0);
        for (int i = 0; i < 1999; i++) {
            assertThat(random.nextDouble()).isBetween(0.0, 1.0);
        }
        // numpy.random.RandomState(0): the 2000th random_sample(), drawn after the state was twisted twice
        assertThat(random.nextDouble()).isEqualTo(0.5017731306999452);
    }

    @Test
    void refusesSeedsNumpyRefuses() {
        assertThatThrownBy(() -> new NumpyRandomState(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NumpyRandomState(1L << 32)).isInstanceOf(IllegalArgumentException.class);
    }
}
