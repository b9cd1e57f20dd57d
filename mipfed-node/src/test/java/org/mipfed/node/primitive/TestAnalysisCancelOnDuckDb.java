package org.mipfed.node.primitive;

import org.mipfed.node.store.StoreKind;

class TestAnalysisCancelOnDuckDb extends AbstractAnalysisCancelTest {
    @Override
    StoreKind kind() {
        return StoreKind.DUCKDB;
    }

    @Override
    String queryRunningForHours() {
        // 10^16 pairs: hours of work, interrupted between vectors
        return "SELECT sum(hash(a.range + b.range)) FROM range(100000000) a, range(100000000) b";
    }
}
