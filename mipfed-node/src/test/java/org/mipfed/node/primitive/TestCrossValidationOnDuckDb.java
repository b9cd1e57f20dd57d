package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestCrossValidationOnDuckDb extends AbstractCrossValidationTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
