package org.mipfed.testing;

/** Exareme2's validation suite on five DuckDB nodes. */
class TestExareme2ValidationFiveNodes extends Exareme2Validation {
    @Override
    int nodes() {
        return 5;
    }

    @Override
    boolean postgres(int i) {
        return false;
    }
}
