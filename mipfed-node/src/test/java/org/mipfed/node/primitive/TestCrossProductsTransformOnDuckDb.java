package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestCrossProductsTransformOnDuckDb extends AbstractCrossProductsTransformTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
