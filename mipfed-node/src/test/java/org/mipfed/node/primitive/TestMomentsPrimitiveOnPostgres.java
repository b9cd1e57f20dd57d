package org.mipfed.node.primitive;

import org.mipfed.node.store.NeedsPostgres;
import org.mipfed.node.store.StoreKind;

@NeedsPostgres
class TestMomentsPrimitiveOnPostgres extends AbstractMomentsPrimitiveTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
