package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestMomentsPrimitiveOnPostgres extends AbstractMomentsPrimitiveTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
