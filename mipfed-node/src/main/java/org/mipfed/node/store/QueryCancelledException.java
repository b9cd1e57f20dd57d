package org.mipfed.node.store;

/** Work on the store was cancelled ({@link QueryCancellation#cancel()}) before it finished. */
public final class QueryCancelledException extends StoreException {
    private static final long serialVersionUID = 1L;

    public QueryCancelledException(String what) {
        super(what + " was cancelled; the store stopped its queries");
    }
}
