package org.mipfed.node.importer;

import org.mipfed.node.store.StoreKind;

class TestDataImporterOnDuckDb extends AbstractDataImporterTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
