package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestCrossProductsTransformOnPostgres extends AbstractCrossProductsTransformTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
