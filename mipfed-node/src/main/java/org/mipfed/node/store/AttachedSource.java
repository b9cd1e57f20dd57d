package org.mipfed.node.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.mipfed.core.json.Json;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.SqlType;

/**
 * A data model's rows read in place from a source the hospital already has, never copied: a table or
 * view of the PostgreSQL database the node's store is in, or Parquet or CSV files read by the DuckDB
 * store. This class writes the SQL that reads the source: the data model's variables under their
 * codes, the source's codes mapped to the data model's levels, and only the rows that keep every
 * rule of the data model (as the CSV import checks them); and the SQL that counts the rows breaking
 * each rule and that fingerprints the source cheaply to notice a change.
 *
 * @param kind what the source is
 * @param source SCHEMA.NAME of a table or view, or a path or glob of files
 * @param rowKey the source column holding a unique non-negative integer per row (the row's identity
 *     for the differencing history and the cross-validation folds), or null: then a row's identity is a
 *     32-bit hash of its values ({@link #rowHash}), which stays while the row is unchanged
 * @param numericColumns the source's columns of a numeric type, as found at attach: {@code integer} or
 *     {@code number}. Their values are read as numbers, with no text conversion: a typed source is
 *     checked at the cost of a comparison per cell
 */
public record AttachedSource(
        String dataModel,
        Kind kind,
        String source,
        SourceMapping mapping,
        String rowKey,
        Map<String, String> numericColumns) {
    static final String INTEGER = "integer";
    static final String NUMBER = "number";

    /** The largest row id the differencing history's 32-bit bitmaps keep. */
    static final long MAX_ROW_ID = 0xFFFF_FFFFL;

    private static final String ALIAS = "\"src$\"";
    private static final String INT = "[-+]?[0-9]{1,18}";
    private static final String REAL = "[-+]?([0-9]{1,30}(\\.[0-9]{0,30})?|\\.[0-9]{1,30})([eE][-+]?[0-9]{1,2})?";
    private static final String KEY = "[0-9]{1,10}";

    public enum Kind {
        TABLE,
        PARQUET,
        CSV;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AttachedSource {
        requireNonNull(dataModel, "dataModel is null");
        requireNonNull(kind, "kind is null");
        requireNonNull(source, "source is null");
        requireNonNull(mapping, "mapping is null");
        if (kind == Kind.TABLE) {
            SourceNames.table(source);
        }
        if (rowKey != null) {
            SourceNames.column(rowKey, "--row-key");
        }
        numericColumns = Map.copyOf(numericColumns);
    }

    public AttachedSource(String dataModel, Kind kind, String source, SourceMapping mapping, String rowKey) {
        this(dataModel, kind, source, mapping, rowKey, Map.of());
    }

    /** This source with the numeric columns found in it. */
    AttachedSource withNumericColumns(Map<String, String> found) {
        return new AttachedSource(dataModel, kind, source, mapping, rowKey, found);
    }

    /** The cell of a typed column as it is, for a numerical variable or the row key; null to read it as text. */
    private String raw(String column, boolean numerical) {
        return numerical && numericColumns.containsKey(column)
                ? ALIAS + "." + SourceNames.quoteIdentifier(column)
                : null;
    }

    private String keyValue() {
        String raw = raw(rowKey, INTEGER.equals(numericColumns.get(rowKey)));
        return raw != null ? raw : text(rowKey);
    }

    /** The dialect this kind of source is read in: tables from PostgreSQL, files from DuckDB. */
    public SqlDialect dialect() {
        return kind == Kind.TABLE ? SqlDialect.POSTGRESQL : SqlDialect.DUCKDB;
    }

    /** For messages: "the view hospital.federation_view", "the Parquet files /data/*.parquet". */
    public String describe() {
        return switch (kind) {
            case TABLE -> "the table or view " + source;
            case PARQUET -> "the Parquet files " + source;
            case CSV -> "the CSV files " + source;
        };
    }

    /** The source as a relation of a FROM clause. */
    String relation() {
        return switch (kind) {
            case TABLE -> SourceNames.quoteTable(source);
            case PARQUET -> "read_parquet(" + SourceNames.literal(source) + ", union_by_name = true)";
            // Every column as text: the data model's rules decide what a cell is, as the CSV import does.
            case CSV ->
                "read_csv(" + SourceNames.literal(source)
                        + ", header = true, all_varchar = true, union_by_name = true)";
        };
    }

    /** {@code SELECT * FROM source LIMIT 0}: reads the source's columns, and fails if it is gone. */
    String probeSql() {
        return "SELECT * FROM " + relation() + " " + ALIAS + " LIMIT 0";
    }

    /**
     * Without a row key, a row's identity: a hash of all its values in 32 bits (what the differencing
     * history keeps). Unlike a row number it does not move when other rows are added or removed, so the
     * history still sees a selection that differs from an earlier one by a few new rows. Identical rows
     * share one identity, and two rows collide with a chance of about n²/2³³ among n rows.
     */
    String rowHash() {
        return kind == Kind.TABLE
                ? "(CAST(hashtext(CAST(" + ALIAS + " AS TEXT)) AS BIGINT) + 2147483648)"
                : "CAST(hash(" + ALIAS + ") % 4294967296 AS BIGINT)";
    }

    /** Rows and a checksum of every row's values: a change of either means the source changed. */
    String fingerprintSql() {
        String checksum = kind == Kind.TABLE
                ? "coalesce(sum(CAST(hashtext(CAST(" + ALIAS + " AS TEXT)) AS BIGINT)), 0)"
                : "coalesce(sum(hash(" + ALIAS + ")), 0)";
        return "SELECT count(*), CAST(" + checksum + " AS " + dialect().textType() + ") FROM " + relation() + " "
                + ALIAS;
    }

    /** The source columns this attachment reads, each once. */
    List<String> sourceColumns(DataModel model) {
        List<String> out = new ArrayList<>();
        for (Cde cde : model.cdes().values()) {
            String column = mapping.column(cde.code());
            if (column != null && !out.contains(column)) {
                out.add(column);
            }
        }
        if (rowKey != null && !out.contains(rowKey)) {
            out.add(rowKey);
        }
        return out;
    }

    /**
     * The rules of the data model, each a condition true for the rows that keep it, by name: the
     * {@link #validSql} of a source is all of them, and {@link #ruleCountsSql} counts the rows breaking each.
     */
    Map<String, String> rules(DataModel model) {
        Map<String, String> rules = new LinkedHashMap<>();
        if (rowKey != null) {
            String key = keyValue();
            rules.put(
                    "row key " + rowKey + ": missing or not an integer from 0 to " + MAX_ROW_ID,
                    INTEGER.equals(numericColumns.get(rowKey))
                            ? key + " IS NOT NULL AND " + key + " >= 0 AND " + key + " <= " + MAX_ROW_ID
                            : "CASE WHEN " + key + " IS NULL OR NOT " + matches(key, KEY) + " THEN FALSE ELSE CAST("
                                    + key + " AS BIGINT) <= " + MAX_ROW_ID + " END");
        }
        for (Cde cde : model.cdes().values()) {
            String column = mapping.column(cde.code());
            String value = column == null ? "NULL" : level(cde, column);
            if (cde.code().equals(DataModel.DATASET)) {
                rules.put(cde.code() + ": missing (every row must name its dataset)", value + " IS NOT NULL");
            }
            if (column == null) {
                continue;
            }
            String typed = typeCheck(cde, column, value);
            if (typed != null) {
                rules.put(
                        cde.code() + ": not " + (cde.sqlType() == SqlType.INT ? "an integer" : "a number"),
                        value + " IS NULL OR " + typed);
            }
            if (cde.categorical()) {
                String levels;
                if (cde.sqlType() == SqlType.INT) {
                    levels = "CAST(" + value + " AS BIGINT) IN ("
                            + cde.enumerations().keySet().stream()
                                    .map(l -> Long.toString(Long.parseLong(l.trim())))
                                    .collect(Collectors.joining(", "))
                            + ")";
                } else {
                    levels = value + " IN ("
                            + cde.enumerations().keySet().stream()
                                    .map(SourceNames::literal)
                                    .collect(Collectors.joining(", "))
                            + ")";
                }
                // CASE, not OR: neither database promises to evaluate OR's terms in order, and a cast must not fail.
                rules.put(
                        cde.code() + ": not one of its levels ("
                                + String.join(", ", cde.enumerations().keySet()) + ")",
                        "CASE WHEN " + value + " IS NULL" + (typed == null ? "" : " OR NOT (" + typed + ")")
                                + " THEN TRUE ELSE " + levels + " END");
            } else if (cde.numerical() && (cde.min() != null || cde.max() != null)) {
                String number = "CAST(" + value + " AS " + dialect().doubleType() + ")";
                List<String> bounds = new ArrayList<>();
                if (cde.min() != null) {
                    bounds.add(number + " >= " + cde.min());
                }
                if (cde.max() != null) {
                    bounds.add(number + " <= " + cde.max());
                }
                rules.put(
                        cde.code() + ": outside " + range(cde),
                        "CASE WHEN " + value + " IS NULL" + (typed == null ? "" : " OR NOT (" + typed + ")")
                                + " THEN TRUE ELSE ("
                                + String.join(" AND ", bounds) + ") END");
            }
        }
        // A condition that is NULL would neither keep nor exclude a row: make each one true or false.
        rules.replaceAll((name, condition) -> "coalesce((" + condition + "), FALSE)");
        return rules;
    }

    private static String range(Cde cde) {
        return (cde.min() == null ? "(-∞" : "[" + cde.min()) + ", " + (cde.max() == null ? "∞)" : cde.max() + "]");
    }

    /**
     * The condition true for a value of the CDE's type, null if every value is one (text variables, and
     * numerical ones from a column of integers).
     */
    private String typeCheck(Cde cde, String column, String value) {
        if (column != null && raw(column, cde.numerical()) != null) {
            // A typed cell: no text to parse, but a float may be NaN, infinite, or not whole where an integer is due.
            if (INTEGER.equals(numericColumns.get(column))) {
                return null;
            }
            return cde.sqlType() == SqlType.INT
                    ? value + " BETWEEN -9.0E18 AND 9.0E18 AND " + value + " = floor(" + value + ")"
                    : value + " BETWEEN -1.7976931348623157E308 AND 1.7976931348623157E308";
        }
        return switch (cde.sqlType()) {
            case INT -> matches(value, INT);
            case REAL -> matches(value, REAL);
            case TEXT -> null;
        };
    }

    private String matches(String expression, String regex) {
        return kind == Kind.TABLE
                ? expression + " ~ " + SourceNames.literal("^(" + regex + ")$")
                : "regexp_full_match(" + expression + ", " + SourceNames.literal(regex) + ")";
    }

    /** A source cell as trimmed text, NULL when empty. */
    private String text(String column) {
        return "NULLIF(trim(CAST(" + ALIAS + "." + SourceNames.quoteIdentifier(column) + " AS "
                + dialect().textType() + ")), '')";
    }

    /**
     * The cell as the data model's level (source codes mapped), as it is for a numerical variable from a
     * typed column, or as text for other variables.
     */
    private String level(Cde cde, String column) {
        String raw = raw(column, cde.numerical());
        if (raw != null) {
            return raw;
        }
        String text = text(column);
        Map<String, String> codes = mapping.codes().get(cde.code());
        if (codes == null || codes.isEmpty()) {
            return text;
        }
        StringBuilder mapped = new StringBuilder("(CASE ").append(text);
        codes.forEach((from, to) -> mapped.append(" WHEN ")
                .append(SourceNames.literal(from))
                .append(" THEN ")
                .append(SourceNames.literal(to)));
        return mapped.append(" ELSE ").append(text).append(" END)").toString();
    }

    /** The condition true for the rows that keep every rule. */
    String validSql(DataModel model) {
        return String.join(" AND ", rules(model).values());
    }

    /** {@code SELECT count(*), count(*) FILTER (WHERE NOT rule1), …} over the whole source, in {@link #rules} order. */
    String ruleCountsSql(DataModel model) {
        StringBuilder sql = new StringBuilder("SELECT count(*), count(*) FILTER (WHERE ")
                .append(validSql(model))
                .append(")");
        for (String condition : rules(model).values()) {
            sql.append(", count(*) FILTER (WHERE NOT ").append(condition).append(")");
        }
        return sql.append(" FROM ").append(relation()).append(" ").append(ALIAS).toString();
    }

    /** Row keys used more than once among the valid rows: {@code SELECT count(*) - count(DISTINCT key)}. */
    String duplicateKeysSql(DataModel model) {
        return "SELECT count(*) - count(DISTINCT " + keyValue() + ") FROM " + relation() + " " + ALIAS + " WHERE "
                + validSql(model);
    }

    /**
     * The valid rows as the data table of the model would hold them, in parentheses (a derived table
     * for a FROM clause): {@code _row_id} and every variable under its code, typed as the store types it.
     */
    String rowsSql(DataModel model) {
        StringBuilder select = new StringBuilder("(SELECT ");
        if (rowKey != null) {
            select.append("CAST(").append(keyValue()).append(" AS BIGINT)");
        } else {
            select.append(rowHash());
        }
        select.append(" AS ").append(dialect().quote(StoreCatalog.ROW_ID));
        for (Cde cde : model.cdes().values()) {
            String column = mapping.column(cde.code());
            String value = column == null ? "NULL" : level(cde, column);
            String check = typeCheck(cde, column, value);
            String type = dialect().columnType(cde.sqlType());
            // Guarded although only valid rows get here: a filter pushed below the WHERE must not meet a failing cast.
            String typed = check == null
                    ? "CAST(" + value + " AS " + type + ")"
                    : "CASE WHEN " + check + " THEN CAST(" + value + " AS " + type + ") END";
            select.append(", ").append(typed).append(" AS ").append(dialect().quote(cde.code()));
        }
        return select.append(" FROM ")
                .append(relation())
                .append(" ")
                .append(ALIAS)
                // One opaque condition, not a conjunction of hundreds: PostgreSQL would multiply their selectivities
                // into an estimate of one row and plan the primitives' joins as if rescanning this were free.
                .append(" WHERE CASE WHEN ")
                .append(validSql(model))
                .append(" THEN TRUE ELSE FALSE END")
                .append(dialect().fence())
                .append(")")
                .toString();
    }

    String toJson() {
        ObjectNode root = Json.mapper()
                .createObjectNode()
                .put("data_model", dataModel)
                .put("kind", kind.wireName())
                .put("source", source)
                .put("row_key", rowKey);
        root.set("mapping", mapping.toJson());
        ObjectNode numeric = root.putObject("numeric_columns");
        numericColumns.forEach(numeric::put);
        return root.toString();
    }

    static AttachedSource fromJson(String json) {
        try {
            JsonNode root = Json.mapper().readTree(json);
            Map<String, String> numeric = new LinkedHashMap<>();
            root.path("numeric_columns")
                    .properties()
                    .forEach(e -> numeric.put(e.getKey(), e.getValue().asText()));
            return new AttachedSource(
                    root.path("data_model").asText(),
                    Kind.valueOf(root.path("kind").asText().toUpperCase(Locale.ROOT)),
                    root.path("source").asText(),
                    SourceMapping.fromJson(root.path("mapping")),
                    root.path("row_key").isNull() ? null : root.path("row_key").asText(null),
                    numeric);
        } catch (JsonProcessingException e) {
            throw new StoreException("The store's record of an attached source is damaged: " + e.getMessage(), e);
        }
    }
}
