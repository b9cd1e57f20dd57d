package org.mipfed.node.primitive;

import org.mipfed.node.store.NeedsPostgres;
import org.mipfed.node.store.StoreKind;

@NeedsPostgres
class TestMixedModelGroupsOnPostgres extends AbstractMixedModelGroupsTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
