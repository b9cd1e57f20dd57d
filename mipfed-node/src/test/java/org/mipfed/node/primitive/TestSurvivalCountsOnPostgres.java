package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestSurvivalCountsOnPostgres extends AbstractSurvivalCountsTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
