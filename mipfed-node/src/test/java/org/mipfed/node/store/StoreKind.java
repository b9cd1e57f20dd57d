package org.mipfed.node.store;

/** The stores every store-facing test runs against. */
public enum StoreKind {
    DUCKDB,
    POSTGRESQL
}
