package org.mipfed.node.importer;

import static java.util.Objects.requireNonNull;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.SqlType;
import org.mipfed.node.store.RowWriter;

/**
 * The rules one CSV column's cells must follow, from its CDE, and the loading of a valid cell. An
 * empty cell is NULL, except in the {@code dataset} column, where every row needs a value.
 */
final class CellRule {
    private static final int MAX_LEVELS_SHOWN = 40;
    private static final long MAX_EXACT_INTEGER = 1L << 53;
    static final char REPLACEMENT = '\uFFFD';

    private final Cde cde;
    private final String modelId;
    private final boolean required;
    /** For nominal text: each level mapped to itself, so cells share one String per level. */
    private final Map<String, String> levels;

    private final Set<Long> intLevels;

    CellRule(Cde cde, String modelId) {
        this.cde = requireNonNull(cde, "cde is null");
        this.modelId = requireNonNull(modelId, "modelId is null");
        this.required = cde.code().equals(DataModel.DATASET);
        this.levels = new HashMap<>();
        this.intLevels = new HashSet<>();
        if (cde.categorical()) {
            for (String level : cde.enumerations().keySet()) {
                levels.put(level, level);
                if (cde.sqlType() == SqlType.INT) {
                    intLevels.add(Long.parseLong(level.trim()));
                }
            }
        }
    }

    String column() {
        return cde.code();
    }

    /**
     * Checks the cell and hands its value to the writer.
     *
     * @return the cell's text for text columns (the shared level String for nominal ones), else null
     * @throws CellException naming the rule the cell breaks
     */
    String load(CsvReader reader, int cell, RowWriter writer, int column) throws CellException, SQLException {
        if (reader.isEmpty(cell)) {
            if (required) {
                throw new CellException(
                        "the dataset is empty; every row must name its dataset, one of: " + levelList());
            }
            return null;
        }
        return switch (cde.sqlType()) {
            case TEXT -> loadText(reader, cell, writer, column);
            case INT -> {
                writer.setLong(column, integer(reader, cell));
                yield null;
            }
            case REAL -> {
                writer.setDouble(column, real(reader, cell));
                yield null;
            }
        };
    }

    private String loadText(CsvReader reader, int cell, RowWriter writer, int column)
            throws CellException, SQLException {
        String text = reader.text(cell);
        if (cde.categorical()) {
            String level = levels.get(text);
            if (level == null) {
                checkEncoding(text);
                if (required) {
                    throw new CellException(
                            "'" + shorten(text) + "' is not a dataset of the data model " + modelId + " (its datasets: "
                                    + levelList()
                                    + "); add it to the enumerations of 'dataset' in a new version of the data model, or fix the cell");
                }
                throw new CellException("'" + shorten(text) + "' is not one of its levels: " + levelList());
            }
            text = level;
        } else {
            checkEncoding(text);
        }
        writer.setText(column, text);
        return text;
    }

    /** The reader replaces bytes that are not UTF-8 by U+FFFD, so the error can name the cell. */
    static void checkEncoding(String text) throws CellException {
        if (text.indexOf(REPLACEMENT) >= 0) {
            throw new CellException("the cell is not valid UTF-8 text; save the file with the UTF-8 encoding");
        }
    }

    private long integer(CsvReader reader, int cell) throws CellException {
        char[] chars = reader.chars();
        int start = trimStart(chars, reader.start(cell), reader.end(cell));
        int end = trimEnd(chars, start, reader.end(cell));
        long value;
        if (Decimals.isShortInteger(chars, start, end)) {
            value = Decimals.parseShortInteger(chars, start, end);
        } else {
            // Exports from R or pandas often write integers as 83.0; accept any number with no fraction.
            double number = Decimals.parse(chars, start, end);
            if (Double.isNaN(number) || number != Math.rint(number)) {
                checkEncoding(reader.text(cell));
                throw new CellException("'" + shorten(reader.text(cell)) + "' is not an integer (sql_type int)");
            }
            if (Math.abs(number) > MAX_EXACT_INTEGER) {
                throw new CellException("'" + shorten(reader.text(cell)) + "' is too large for an integer column");
            }
            value = (long) number;
        }
        if (cde.categorical() && !intLevels.contains(value)) {
            throw new CellException("'" + shorten(reader.text(cell)) + "' is not one of its levels: " + levelList());
        }
        checkRange(value, reader, cell);
        return value;
    }

    private double real(CsvReader reader, int cell) throws CellException {
        char[] chars = reader.chars();
        int start = trimStart(chars, reader.start(cell), reader.end(cell));
        int end = trimEnd(chars, start, reader.end(cell));
        double value = Decimals.parse(chars, start, end);
        if (Double.isNaN(value)) {
            checkEncoding(reader.text(cell));
            throw new CellException("'" + shorten(reader.text(cell)) + "' is not a number (sql_type real)");
        }
        if (Double.isInfinite(value)) {
            throw new CellException("'" + shorten(reader.text(cell)) + "' is not a finite number");
        }
        checkRange(value, reader, cell);
        return value;
    }

    private void checkRange(double value, CsvReader reader, int cell) throws CellException {
        if (cde.min() != null && value < cde.min()) {
            throw new CellException("'" + shorten(reader.text(cell)) + "' is below the minimum " + format(cde.min())
                    + " (minValue in the data model)");
        }
        if (cde.max() != null && value > cde.max()) {
            throw new CellException("'" + shorten(reader.text(cell)) + "' is above the maximum " + format(cde.max())
                    + " (maxValue in the data model)");
        }
    }

    private static int trimStart(char[] chars, int start, int end) {
        while (start < end && (chars[start] == ' ' || chars[start] == '\t')) {
            start++;
        }
        return start;
    }

    private static int trimEnd(char[] chars, int start, int end) {
        while (end > start && (chars[end - 1] == ' ' || chars[end - 1] == '\t')) {
            end--;
        }
        return end;
    }

    private String levelList() {
        String shown =
                cde.enumerations().keySet().stream().limit(MAX_LEVELS_SHOWN).collect(Collectors.joining(", "));
        return cde.enumerations().size() > MAX_LEVELS_SHOWN ? shown + ", …" : shown;
    }

    static String format(double number) {
        return number == Math.rint(number) && Math.abs(number) < 1e15
                ? Long.toString((long) number)
                : Double.toString(number);
    }

    static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    /** A cell that breaks its column's rule; thrown once per import at most, so no stack trace. */
    static final class CellException extends Exception {
        private static final long serialVersionUID = 1L;

        CellException(String problem) {
            super(problem, null, false, false);
        }
    }
}
