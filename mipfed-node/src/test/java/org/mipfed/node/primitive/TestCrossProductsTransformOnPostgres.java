package org.mipfed.node.primitive;

import org.mipfed.node.store.NeedsPostgres;
import org.mipfed.node.store.StoreKind;

@NeedsPostgres
class TestCrossProductsTransformOnPostgres extends AbstractCrossProductsTransformTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
