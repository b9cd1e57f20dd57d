package org.mipfed.node.importer;

/** Hears how far a long import got; called on the importing thread, at most about twice a second. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (rows, bytes) -> {};

    /**
     * @param rows data rows read and checked so far
     * @param bytes bytes of the file read so far
     */
    void progress(long rows, long bytes);
}
