package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestHistogramKmeansOnDuckDb extends AbstractHistogramKmeansTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }
}
