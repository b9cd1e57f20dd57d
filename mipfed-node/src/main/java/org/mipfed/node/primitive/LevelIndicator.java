package org.mipfed.node.primitive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.SqlType;
import org.mipfed.node.privacy.PrivacyGuard;

/**
 * One level of a nominal variable in a primitive's SQL, written once for every primitive that names levels: the
 * refusal of a level the data model does not enumerate (decided on the request alone, so it says nothing about the
 * rows), the level as a bound parameter of the column's type, and its 0/1 indicator as a design column
 * ({@code cross_products}, {@code glm_step} and {@code model_score} dummy-code categorical covariates with it), and the
 * refusal of a design whose indicators would reveal a small count ({@link #checkCounts}).
 */
final class LevelIndicator {
    private LevelIndicator() {}

    /**
     * {@code level} as the value bound against {@code cde}'s column (a number for an integer-coded variable).
     *
     * @throws RefusalException {@link RefusalException#UNKNOWN_LEVEL} when the data model does not enumerate it
     */
    static Object level(Cde cde, String level) {
        if (!cde.enumerations().containsKey(level)) {
            throw RefusalException.caller(
                    RefusalException.UNKNOWN_LEVEL,
                    "'" + SqlFilterCompiler.shorten(level) + "' is not a level of '" + cde.code() + "' (its levels: "
                            + String.join(", ", cde.enumerations().keySet()) + ")");
        }
        return cde.sqlType() == SqlType.INT ? (Object) Long.parseLong(level.trim()) : level;
    }

    /** 1.0 on the rows at {@code level} of {@code cde}, else 0.0 (a NULL counts as 0; rows are complete where it is used). */
    static BoundSql of(QueryScope scope, Cde cde, String level) {
        return BoundSql.builder()
                .sql("CAST(CASE WHEN " + scope.quote(cde) + " = ")
                .known(scope.dialect(), level(cde, level))
                .sql(" THEN 1 ELSE 0 END AS " + scope.dialect().doubleType() + ")")
                .build();
    }

    /** Whether columns {@code i} and {@code j} indicate levels of two different variables (their cross table is revealed). */
    static boolean crossed(List<String> indicated, int i, int j) {
        return !indicated.get(i).isEmpty()
                && !indicated.get(j).isEmpty()
                && !indicated.get(i).equals(indicated.get(j));
    }

    /**
     * Refuses an answer that would reveal a small count: the rows with and without each level whose indicator is a
     * column, and for two indicators of different variables the four cells of their cross table, as DataSHIELD's glm
     * refuses a design with too few ones or zeros in a binary column. The rows with none of a variable's indicated
     * levels (its reference level, and any level the design leaves out) are a count the answer reveals too, as n minus
     * the indicators' ones, and so are their cells against another variable's levels. {@code cross_products} reveals
     * these counts through its means and co-moments, {@code glm_step} through XᵀWX (exactly where W is constant: a
     * gaussian identity model, or any model's first step).
     *
     * @param indicated per design column, the variable whose level it indicates, or "" for a numerical column
     * @param ones per indicator column, its rows at its level
     * @param both per pair of {@link #crossed} columns, their rows at both levels (symmetric)
     */
    static void checkCounts(PrivacyGuard guard, List<String> indicated, long n, long[] ones, long[][] both) {
        int p = indicated.size();
        // The message names the variables only: naming the level or pair would say which one is rare.
        String names = indicated.stream().filter(v -> !v.isEmpty()).distinct().collect(Collectors.joining(", "));
        Map<String, List<Integer>> byVariable = new LinkedHashMap<>();
        for (int i = 0; i < p; i++) {
            if (indicated.get(i).isEmpty()) {
                continue;
            }
            check(guard, ones[i], names);
            check(guard, n - ones[i], names);
            byVariable.computeIfAbsent(indicated.get(i), v -> new ArrayList<>()).add(i);
        }
        for (int i = 0; i < p; i++) {
            for (int j = i + 1; j < p; j++) {
                if (!crossed(indicated, i, j)) {
                    continue;
                }
                check(guard, both[i][j], names);
                check(guard, ones[i] - both[i][j], names);
                check(guard, ones[j] - both[i][j], names);
                check(guard, n - ones[i] - ones[j] + both[i][j], names);
            }
        }
        List<String> variables = new ArrayList<>(byVariable.keySet());
        for (String variable : variables) {
            long rest = n;
            for (int i : byVariable.get(variable)) {
                rest -= ones[i];
            }
            check(guard, rest, names);
        }
        for (int x = 0; x < variables.size(); x++) {
            for (int y = x + 1; y < variables.size(); y++) {
                List<Integer> first = byVariable.get(variables.get(x));
                List<Integer> second = byVariable.get(variables.get(y));
                long neither = n
                        - checkRest(guard, first, second, ones, both, names)
                        - checkRest(guard, second, first, ones, both, names);
                for (int i : first) {
                    for (int j : second) {
                        neither -= both[i][j];
                    }
                }
                check(guard, neither, names);
            }
        }
    }

    /**
     * Checks, for each indicated level of one variable, its rows at none of another variable's indicated levels;
     * returns their total.
     */
    private static long checkRest(
            PrivacyGuard guard, List<Integer> levels, List<Integer> others, long[] ones, long[][] both, String names) {
        long total = 0;
        for (int i : levels) {
            long rest = ones[i];
            for (int j : others) {
                rest -= both[i][j];
            }
            check(guard, rest, names);
            total += rest;
        }
        return total;
    }

    private static void check(PrivacyGuard guard, long count, String variables) {
        guard.checkCount(count, variables).ifPresent(v -> {
            throw RefusalException.caller(v.rule(), v.message());
        });
    }
}
