package org.mipfed.node.importer;

import org.mipfed.node.store.StoreKind;

class TestDataImporterOnPostgres extends AbstractDataImporterTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
