package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestCrossValidationOnPostgres extends AbstractCrossValidationTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
