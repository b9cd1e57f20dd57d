package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestFigureDifferencingOnPostgres extends AbstractFigureDifferencingTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
