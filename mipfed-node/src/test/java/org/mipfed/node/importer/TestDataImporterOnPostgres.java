package org.mipfed.node.importer;

import org.mipfed.node.store.NeedsPostgres;
import org.mipfed.node.store.StoreKind;

@NeedsPostgres
class TestDataImporterOnPostgres extends AbstractDataImporterTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
