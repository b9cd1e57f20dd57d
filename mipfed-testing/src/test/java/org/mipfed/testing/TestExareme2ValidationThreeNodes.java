package org.mipfed.testing;

/** Exareme2's validation suite on three nodes: two DuckDB files and one PostgreSQL store. */
class TestExareme2ValidationThreeNodes extends Exareme2Validation {
    @Override
    int nodes() {
        return 3;
    }

    @Override
    boolean postgres(int i) {
        return i == 2;
    }
}
