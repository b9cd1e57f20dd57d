package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestContingencyTableOnDuckDb extends AbstractContingencyTableTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
