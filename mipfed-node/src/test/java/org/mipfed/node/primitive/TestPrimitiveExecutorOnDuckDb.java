package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestPrimitiveExecutorOnDuckDb extends AbstractPrimitiveExecutorTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
