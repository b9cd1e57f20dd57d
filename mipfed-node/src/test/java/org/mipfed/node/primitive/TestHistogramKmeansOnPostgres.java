package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestHistogramKmeansOnPostgres extends AbstractHistogramKmeansTest {
    @Override
    StoreKind kind() {
        return StoreKind.POSTGRESQL;
    }
}
