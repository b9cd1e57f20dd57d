package org.mipfed.testing;

/** glm and kaplan_meier against R on one DuckDB node. */
class TestRReferenceValidationOneNode extends RReferenceValidation {
    @Override
    int nodes() {
        return 1;
    }

    @Override
    boolean postgres(int i) {
        return false;
    }
}
