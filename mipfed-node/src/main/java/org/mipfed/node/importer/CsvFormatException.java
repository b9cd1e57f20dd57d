package org.mipfed.node.importer;

/** A file that breaks RFC 4180 at a line; the importer adds the file's name. */
final class CsvFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    private final long line;

    CsvFormatException(long line, String message) {
        super(message, null, false, false);
        this.line = line;
    }

    long line() {
        return line;
    }
}
