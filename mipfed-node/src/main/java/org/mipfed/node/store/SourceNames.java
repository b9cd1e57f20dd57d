package org.mipfed.node.store;

import java.util.regex.Pattern;

/**
 * Names and literals of an attached source, which the hospital chose, not us: they are checked for a
 * sane shape and then quoted (double quotes doubled, single quotes doubled), never pasted as they come.
 * They come from the node's operator (the attach command), never from a request.
 */
final class SourceNames {
    /** Printable, no quote characters a reader would have to think about, at most PostgreSQL's 63 bytes. */
    private static final Pattern COLUMN = Pattern.compile("[\\p{L}\\p{N}_$ .\\-]{1,63}");

    private static final Pattern TABLE =
            Pattern.compile("(?:[\\p{L}_][\\p{L}\\p{N}_$]{0,62}\\.)?[\\p{L}_][\\p{L}\\p{N}_$]{0,62}");

    private SourceNames() {}

    static String column(String name, String where) {
        if (name == null || !COLUMN.matcher(name).matches()) {
            throw new StoreException(
                    where + ": '" + name + "' is not a column name this node reads (letters, digits,"
                            + " spaces, '_', '$', '.', '-'; at most 63 characters); expose the column under such a name in the view");
        }
        return name;
    }

    static String table(String name) {
        if (name == null || !TABLE.matcher(name).matches()) {
            throw new StoreException("'" + name + "' is not a table or view name this node reads: give SCHEMA.NAME or "
                    + "NAME, each a letter or '_' then letters, digits, '_' or '$' (rename the view if needed)");
        }
        return name;
    }

    static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** SCHEMA.NAME, each part quoted (checked by {@link #table} first). */
    static String quoteTable(String name) {
        int dot = name.indexOf('.');
        return dot < 0
                ? quoteIdentifier(name)
                : quoteIdentifier(name.substring(0, dot)) + "." + quoteIdentifier(name.substring(dot + 1));
    }

    static String literal(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new StoreException("A NUL character cannot be part of a source's code or path");
        }
        return "'" + text.replace("'", "''") + "'";
    }
}
