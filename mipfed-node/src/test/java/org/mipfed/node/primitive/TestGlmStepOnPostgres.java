package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestGlmStepOnPostgres extends AbstractGlmStepTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
