package org.mipfed.node.primitive;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.request.Folds;
import org.mipfed.node.privacy.PrivacyGuard;
import org.mipfed.node.store.SqlDialect;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.proto.v1.FoldRestriction;

/**
 * The rows a primitive may see, once its data model, datasets and filter have been checked: the
 * data table of the model (or the subjects' paired visits made from it, see
 * {@link LongitudinalTable}), restricted to the requested datasets and the filter. Also resolves the
 * primitive's variables, refusing unknown ones and ones of the wrong kind.
 *
 * @param table the quoted data table, or a derived table in parentheses with its alias
 * @param datasetsOnly the bound predicate selecting the requested datasets' rows ({@code "dataset" IN (…)})
 * @param where the bound predicate selecting the rows ({@code "dataset" IN (…) AND filter}, and a fold
 *     restriction if any)
 * @param columns the variables the table has, or null for every variable of the data model
 * @param guard the node's privacy guard, which limits the levels of a nominal variable
 */
record QueryScope(
        DataModel model,
        SqlDialect dialect,
        String table,
        List<String> datasets,
        BoundSql datasetsOnly,
        BoundSql where,
        Set<String> columns,
        PrivacyGuard guard) {
    /** The column of a folded table that holds each row's fold hash. */
    static final String FOLD_HASH = "\"fold$\"";

    QueryScope {
        requireNonNull(model, "model is null");
        requireNonNull(dialect, "dialect is null");
        requireNonNull(table, "table is null");
        datasets = List.copyOf(datasets);
        requireNonNull(datasetsOnly, "datasetsOnly is null");
        requireNonNull(where, "where is null");
        columns = columns == null ? null : Set.copyOf(columns);
        requireNonNull(guard, "guard is null");
    }

    /**
     * @param relation the data model's rows: its quoted data table, or a derived table in parentheses
     *     (an attached source's valid rows, see {@link StoreCatalog#rows})
     * @param longitudinal the paired visits to compute over, or null for the data table's rows
     * @param fold null for all rows; else only the rows of one fold (its test rows) or of all the
     *     others (its training rows), each row's fold computed as {@link Folds} defines it
     */
    static QueryScope of(
            DataModel model,
            SqlDialect dialect,
            String relation,
            List<String> datasets,
            BoundSql filter,
            LongitudinalTable longitudinal,
            PrivacyGuard guard,
            FoldRestriction fold) {
        BoundSql.Builder in = BoundSql.builder().sql(dialect.quote(DataModel.DATASET) + " IN (");
        for (int i = 0; i < datasets.size(); i++) {
            // the node's own dataset codes (PrimitiveExecutor checked each against its catalog)
            in.sql(i == 0 ? "" : ", ").known(dialect, datasets.get(i));
        }
        BoundSql datasetsOnly = in.sql(")").build();
        // Primitives read the rows under the data table's name, whether it is the table or a derived one.
        String alias = dialect.quote(StoreCatalog.dataTable(model));
        String table = relation.equals(alias) ? alias : relation + " " + alias;
        if (filter == null && fold == null) {
            return longitudinal != null
                    ? new QueryScope(
                            model,
                            dialect,
                            longitudinal.sql(relation),
                            datasets,
                            datasetsOnly,
                            datasetsOnly,
                            longitudinal.variables(),
                            guard)
                    : new QueryScope(model, dialect, table, datasets, datasetsOnly, datasetsOnly, null, guard);
        }
        BoundSql.Builder where = BoundSql.builder().append(datasetsOnly);
        if (filter != null) {
            where.sql(" AND ").append(filter);
        }
        if (longitudinal != null) {
            if (fold != null) {
                throw RefusalException.caller(
                        RefusalException.INVALID_QUERY,
                        "Cross-validation folds are not defined over the paired visits of "
                                + "a longitudinal transformation; run the cross-validation without the longitudinal_transformer step");
            }
            return new QueryScope(
                    model,
                    dialect,
                    longitudinal.sql(relation),
                    datasets,
                    datasetsOnly,
                    where.build(),
                    longitudinal.variables(),
                    guard);
        }
        if (fold != null) {
            checkFold(fold);
            where.sql(" AND (" + FOLD_HASH + " % ")
                    .known(dialect, (long) fold.getNSplits())
                    .sql(fold.getTest() ? ") = " : ") <> ")
                    .known(dialect, (long) fold.getFold());
            table = folded(dialect, table, alias);
        }
        return new QueryScope(model, dialect, table, datasets, datasetsOnly, where.build(), null, guard);
    }

    /** Whether a filter (or a fold restriction) narrows the requested datasets' rows. */
    boolean filtered() {
        return where != datasetsOnly;
    }

    private static void checkFold(FoldRestriction fold) {
        if (fold.getNSplits() < 2 || fold.getNSplits() > Folds.MAX_SPLITS) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "A fold restriction needs between 2 and " + Folds.MAX_SPLITS + " folds, not " + fold.getNSplits());
        }
        if (fold.getFold() < 0 || fold.getFold() >= fold.getNSplits()) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "Fold " + fold.getFold() + " does not exist among " + fold.getNSplits()
                            + " folds (they are numbered from 0)");
        }
    }

    /**
     * The data table with each row's fold hash as a column: its position within its dataset by row
     * id, its dataset's salt from md5, then the hash in layers (so each term is written once). Our
     * own constants only; the alias keeps the table's name, so primitives read it as the table.
     */
    private static String folded(SqlDialect dialect, String table, String alias) {
        String dataset = dialect.quote(DataModel.DATASET);
        StringBuilder salt = new StringBuilder("0");
        for (int digit = 1; digit <= Folds.SALT_DIGITS; digit++) {
            salt.insert(0, "(")
                    .append(" * 16 + (strpos('0123456789abcdef', substr(md5(")
                    .append(dataset)
                    .append("), ")
                    .append(digit)
                    .append(", 1)) - 1))");
        }
        String p = Long.toString(Folds.MODULUS);
        String m = Long.toString(Folds.MULTIPLIER);
        String positions = "SELECT *, row_number() OVER (PARTITION BY " + dataset + " ORDER BY "
                + dialect.quote(StoreCatalog.ROW_ID) + ") - 1 AS \"pos$\", " + salt + " AS \"salt$\" FROM " + table;
        String first = "SELECT *, (((\"pos$\" + \"salt$\") % " + p + ") * " + m + ") % " + p + " AS \"x1$\" FROM ("
                + positions + ") \"fold1$\"";
        return "(SELECT *, (((\"x1$\" * \"x1$\" + \"salt$\") % " + p + ") * " + m + ") % " + p + " AS " + FOLD_HASH
                + " FROM (" + first + ") \"fold2$\") " + alias;
    }

    String quote(Cde cde) {
        return dialect.quote(cde.code());
    }

    /** The CDE named {@code variable}; refused if the data model has none. */
    Cde variable(String variable) {
        Cde cde = model.cde(variable);
        if (cde == null) {
            throw RefusalException.caller(
                    RefusalException.UNKNOWN_VARIABLE,
                    "The variable '" + SqlFilterCompiler.shorten(variable) + "' is not in the data model " + model.id()
                            + "; use the variables of the data model only");
        }
        if (columns != null && !columns.contains(cde.code())) {
            throw RefusalException.caller(
                    RefusalException.INVALID_QUERY,
                    "The variable '" + cde.code() + "' has no strategy in the "
                            + "longitudinal transformation, so it is not among the paired visits' variables ("
                            + String.join(", ", columns.stream().sorted().toList())
                            + "); give it a strategy (first, second or diff)");
        }
        return cde;
    }

    /** A numerical (int or real, not categorical) variable, as means and moments need. */
    Cde numerical(String variable, String role) {
        Cde cde = variable(variable);
        if (!cde.numerical()) {
            throw RefusalException.caller(
                    RefusalException.VARIABLE_TYPE,
                    "The variable '" + cde.code() + "' is "
                            + (cde.categorical() ? "nominal" : "free text") + ", but " + role + " must be numerical; "
                            + (cde.categorical()
                                    ? "use it as a nominal variable or through one of its levels"
                                    : "it cannot be used in analyses"));
        }
        return cde;
    }

    /**
     * A nominal (categorical) variable. Free-text variables are refused: their values (subject
     * codes, say) would identify rows; so are variables of more levels than the privacy policy allows.
     */
    Cde nominal(String variable, String role) {
        Cde cde = variable(variable);
        if (!cde.categorical()) {
            throw RefusalException.caller(
                    RefusalException.VARIABLE_TYPE,
                    "The variable '" + cde.code() + "' is "
                            + (cde.numerical() ? "numerical" : "free text, not nominal") + ", but " + role
                            + " must be nominal (with levels "
                            + "in the data model)");
        }
        guard.checkLevels(cde.code(), cde.enumerations().size()).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
        return cde;
    }

    /** The variables named, each once, in order, resolved with {@code resolve}. */
    static List<Cde> distinct(List<String> names, Function<String, Cde> resolve) {
        Set<String> seen = new LinkedHashSet<>(names);
        List<Cde> out = new ArrayList<>();
        for (String name : seen) {
            out.add(resolve.apply(name));
        }
        return out;
    }

    /** {@code "a" IS NOT NULL AND "b" IS NOT NULL …}: the rows complete in every variable given. */
    String complete(List<Cde> variables) {
        return variables.stream().map(v -> quote(v) + " IS NOT NULL").collect(Collectors.joining(" AND "));
    }

    /** For messages: the variables' codes, comma separated. */
    static String names(List<Cde> variables) {
        return variables.stream().map(Cde::code).collect(Collectors.joining(", "));
    }
}
