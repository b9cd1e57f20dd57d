package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.LongitudinalTransform;

/**
 * Exareme2's {@code longitudinal_transformer}, done on the node: each subject's row at one visit
 * paired with the same subject's row (in the same dataset) at a later visit, as a derived table whose
 * columns are the variables given a strategy, under their own names: {@code first} (the value at the
 * first visit), {@code second} (at the second) or {@code diff} (second minus first; numerical
 * variables only). Subject rows never leave the node; the primitives run over the pairs as over any
 * table.
 */
final class LongitudinalTable {
    static final String SUBJECT = "subjectid";
    static final String VISIT = "visitid";

    private final SqlDialect dialect;
    private final String visit1;
    private final String visit2;
    /** Variable → strategy, sorted for a stable statement. */
    private final Map<String, String> strategies;

    private LongitudinalTable(SqlDialect dialect, String visit1, String visit2, Map<String, String> strategies) {
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.visit1 = visit1;
        this.visit2 = visit2;
        this.strategies = strategies;
    }

    /** Checks a transformation against the data model: its visits, variables and strategies. */
    static LongitudinalTable of(DataModel model, SqlDialect dialect, LongitudinalTransform transform) {
        Cde subject = model.cde(SUBJECT);
        Cde visit = model.cde(VISIT);
        if (subject == null || visit == null || !visit.categorical()) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "The data model " + model.id() + " has no '" + SUBJECT
                            + "' and nominal '" + VISIT
                            + "' variables, so its rows cannot be paired by subject and visit; the longitudinal "
                            + "transformation needs a longitudinal data model");
        }
        for (String v : List.of(transform.getVisit1(), transform.getVisit2())) {
            if (!visit.enumerations().containsKey(v)) {
                throw RefusalException.caller(
                        RefusalException.UNKNOWN_LEVEL,
                        "'" + SqlFilterCompiler.shorten(v) + "' is not a level of '" + VISIT + "' (its levels: "
                                + String.join(", ", visit.enumerations().keySet()) + ")");
            }
        }
        if (transform.getVisit1().equals(transform.getVisit2())) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "The longitudinal transformation pairs two different visits, " + "not " + transform.getVisit1()
                            + " with itself");
        }
        if (transform.getStrategiesCount() == 0) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "The longitudinal transformation needs a strategy for each " + "variable it keeps");
        }
        Map<String, String> strategies = new TreeMap<>();
        for (Map.Entry<String, String> entry : transform.getStrategiesMap().entrySet()) {
            Cde cde = model.cde(entry.getKey());
            if (cde == null
                    || cde.code().equals(DataModel.DATASET)
                    || cde.code().equals(SUBJECT)
                    || cde.code().equals(VISIT)) {
                throw RefusalException.caller(
                        RefusalException.UNKNOWN_VARIABLE,
                        "'" + SqlFilterCompiler.shorten(entry.getKey()) + "' cannot be transformed: "
                                + (cde == null
                                        ? "it is not in the data model " + model.id()
                                        : "it is what pairs the rows"));
            }
            switch (entry.getValue()) {
                case "first", "second" -> {}
                case "diff" -> {
                    if (!cde.numerical()) {
                        throw RefusalException.caller(
                                RefusalException.VARIABLE_TYPE,
                                "Cannot take the difference of the " + (cde.categorical() ? "nominal" : "text")
                                        + " variable '" + cde.code() + "'; use first or second");
                    }
                }
                default ->
                    throw RefusalException.caller(
                            RefusalException.INVALID_QUERY,
                            "The strategy of '" + cde.code() + "' must be " + "first, second or diff, not '"
                                    + SqlFilterCompiler.shorten(entry.getValue()) + "'");
            }
            strategies.put(cde.code(), entry.getValue());
        }
        return new LongitudinalTable(dialect, transform.getVisit1(), transform.getVisit2(), strategies);
    }

    Set<String> variables() {
        return strategies.keySet();
    }

    /**
     * The derived table over {@code table}. The visits are inlined as literals: they are levels of the
     * node's own data model (checked above), never free text, and quotes are doubled all the same.
     */
    String sql(String table) {
        String first = dialect.quote("first$");
        String second = dialect.quote("second$");
        String dataset = dialect.quote(DataModel.DATASET);
        List<String> columns = new ArrayList<>();
        columns.add(first + "." + dataset + " AS " + dataset);
        // The pair is identified by its first visit's row: the privacy guard tracks selections by row id.
        String rowId = dialect.quote(StoreCatalog.ROW_ID);
        columns.add(first + "." + rowId + " AS " + rowId);
        strategies.forEach((variable, strategy) -> {
            String column = dialect.quote(variable);
            String value = switch (strategy) {
                case "first" -> first + "." + column;
                case "second" -> second + "." + column;
                default -> "(" + second + "." + column + " - " + first + "." + column + ")";
            };
            columns.add(value + " AS " + column);
        });
        String subject = dialect.quote(SUBJECT);
        String visit = dialect.quote(VISIT);
        return "(SELECT " + String.join(", ", columns) + " FROM " + table + " " + first + " JOIN " + table + " "
                + second + " ON "
                + first + "." + subject + " = " + second + "." + subject + " AND " + first + "." + dataset + " = "
                + second + "." + dataset
                + " WHERE " + first + "." + visit + " = " + literal(visit1) + " AND " + second + "." + visit + " = "
                + literal(visit2)
                + ") " + dialect.quote("longitudinal$");
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}
