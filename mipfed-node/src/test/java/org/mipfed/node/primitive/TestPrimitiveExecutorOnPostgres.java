package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestPrimitiveExecutorOnPostgres extends AbstractPrimitiveExecutorTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
