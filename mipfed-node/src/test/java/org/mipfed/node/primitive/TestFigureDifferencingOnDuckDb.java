package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestFigureDifferencingOnDuckDb extends AbstractFigureDifferencingTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
