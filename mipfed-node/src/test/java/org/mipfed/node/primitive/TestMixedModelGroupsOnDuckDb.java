package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestMixedModelGroupsOnDuckDb extends AbstractMixedModelGroupsTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
