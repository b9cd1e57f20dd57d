package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestLongitudinalOnPostgres extends AbstractLongitudinalTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
