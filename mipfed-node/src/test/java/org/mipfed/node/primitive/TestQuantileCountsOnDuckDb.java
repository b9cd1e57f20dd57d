package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestQuantileCountsOnDuckDb extends AbstractQuantileCountsTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
