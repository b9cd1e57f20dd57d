package org.mipfed.algorithms.kmeans;

/**
 * numpy's legacy {@code numpy.random.RandomState(seed)}: the 32-bit Mersenne Twister seeded as
 * {@code init_genrand} and doubles of 53 random bits. Exareme2 draws its initial k-means centres with
 * it; drawing the same numbers gives the same centres, so results can be compared exactly. Not
 * thread-safe.
 */
final class NumpyRandomState {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] state = new int[N];
    private int position;

    /**
     * @param seed 0 to 2³² - 1, as numpy accepts
     */
    NumpyRandomState(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("A seed is between 0 and 2^32 - 1, not " + seed);
        }
        long s = seed;
        for (int i = 0; i < N; i++) {
            state[i] = (int) s;
            s = (1812433253L * (s ^ (s >>> 30)) + i + 1) & 0xffffffffL;
        }
        position = N;
    }

    /** {@code uniform(low, high, size=(rows, low.length))}, row by row: low + (high - low) · u for each draw u in [0, 1). */
    double[][] uniform(double[] low, double[] high, int rows) {
        if (low.length != high.length) {
            throw new IllegalArgumentException("low and high differ in length: " + low.length + " and " + high.length);
        }
        double[][] out = new double[rows][low.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < low.length; c++) {
                out[r][c] = low[c] + (high[c] - low[c]) * nextDouble();
            }
        }
        return out;
    }

    /** numpy's {@code random_sample()}: 27 and 26 bits of two outputs, as a double in [0, 1). */
    double nextDouble() {
        long a = Integer.toUnsignedLong(next()) >>> 5;
        long b = Integer.toUnsignedLong(next()) >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** The next tempered 32-bit output. */
    int next() {
        if (position >= N) {
            twist();
        }
        int y = state[position++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & UPPER_MASK) | (state[(i + 1) % N] & LOWER_MASK);
            state[i] = state[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
        }
        position = 0;
    }
}
