package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestLongitudinalOnDuckDb extends AbstractLongitudinalTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
