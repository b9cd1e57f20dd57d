package org.mipfed.node.importer;

/**
 * A file that was not imported, with a message for the person importing it: which file, line and
 * column, which rule was broken, and what to do. Nothing of the file is in the store.
 */
public class ImportException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long line;
    private final String column;

    public ImportException(String file, long line, String column, String message) {
        super(message);
        this.file = file;
        this.line = line;
        this.column = column;
    }

    public ImportException(String file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.line = 0;
        this.column = null;
    }

    /** The file's name. */
    public String file() {
        return file;
    }

    /** The 1-based line of the problem (1 = header), or 0 if it concerns no line. */
    public long line() {
        return line;
    }

    /** The column of the problem, or null. */
    public String column() {
        return column;
    }
}
