package org.mipfed.testing;

/** Exareme2's validation suite on one node whose store is PostgreSQL. */
class TestExareme2ValidationOneNode extends Exareme2Validation {
    @Override
    int nodes() {
        return 1;
    }

    @Override
    boolean postgres(int i) {
        return true;
    }
}
