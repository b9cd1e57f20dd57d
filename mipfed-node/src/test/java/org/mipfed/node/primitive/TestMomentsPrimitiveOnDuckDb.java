package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestMomentsPrimitiveOnDuckDb extends AbstractMomentsPrimitiveTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
