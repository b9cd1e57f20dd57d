package org.mipfed.testing;

/** glm and kaplan_meier against R on five nodes, two of them PostgreSQL. */
class TestRReferenceValidationFiveNodes extends RReferenceValidation {
    @Override
    int nodes() {
        return 5;
    }

    @Override
    boolean postgres(int i) {
        return i == 1 || i == 4;
    }
}
