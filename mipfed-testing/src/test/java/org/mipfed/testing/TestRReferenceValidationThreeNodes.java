package org.mipfed.testing;

/** glm and kaplan_meier against R on three nodes, one of them PostgreSQL. */
class TestRReferenceValidationThreeNodes extends RReferenceValidation {
    @Override
    int nodes() {
        return 3;
    }

    @Override
    boolean postgres(int i) {
        return i == 2;
    }
}
