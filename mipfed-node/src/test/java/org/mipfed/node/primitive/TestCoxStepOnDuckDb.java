package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestCoxStepOnDuckDb extends AbstractCoxStepTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
