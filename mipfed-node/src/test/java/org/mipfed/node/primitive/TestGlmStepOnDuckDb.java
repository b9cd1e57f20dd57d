package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestGlmStepOnDuckDb extends AbstractGlmStepTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
