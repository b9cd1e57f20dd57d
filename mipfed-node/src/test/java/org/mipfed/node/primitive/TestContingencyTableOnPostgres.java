package org.mipfed.node.primitive;

import org.mipfed.node.store.NeedsPostgres;
import org.mipfed.node.store.StoreKind;

@NeedsPostgres
class TestContingencyTableOnPostgres extends AbstractContingencyTableTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
