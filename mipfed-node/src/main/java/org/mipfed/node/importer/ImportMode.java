package org.mipfed.node.importer;

import java.util.Locale;

/**
 * What an import does with a dataset that is already in the store. The default refuses, so that
 * importing the same data twice (under another file name, or re-exported) can never double its rows.
 */
public enum ImportMode {
    /** Only new datasets: a file with rows of a dataset already in the store is refused whole. */
    NEW,
    /** Adds the file's rows to the datasets already in the store ({@code --append}). */
    APPEND,
    /**
     * Replaces the rows of each dataset in the file by the file's rows ({@code --replace}), in the
     * import's one transaction: the old rows stay visible until the new ones are all in, and stay if
     * the import fails.
     */
    REPLACE;

    /** The name on the control socket and in messages: {@code new}, {@code append}, {@code replace}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Reads a control request's {@code mode}; absent means {@link #NEW}.
     *
     * @throws IllegalArgumentException naming the modes there are
     */
    public static ImportMode fromWire(String text) {
        if (text == null || text.isBlank()) {
            return NEW;
        }
        for (ImportMode mode : values()) {
            if (mode.wireName().equals(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown import mode '" + text + "': use new, append or replace");
    }
}
