package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestSurvivalCountsOnDuckDb extends AbstractSurvivalCountsTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
