package org.mipfed.node.primitive;

import org.mipfed.core.model.Cde;
import org.mipfed.core.model.SqlType;

/**
 * One level of a nominal variable in a primitive's SQL, written once for every primitive that names levels: the
 * refusal of a level the data model does not enumerate (decided on the request alone, so it says nothing about the
 * rows), the level as a bound parameter of the column's type, and its 0/1 indicator as a design column
 * ({@code cross_products}, {@code glm_step} and {@code model_score} dummy-code categorical covariates with it).
 */
final class LevelIndicator {
    private LevelIndicator() {
    }

    /**
     * {@code level} as the value bound against {@code cde}'s column (a number for an integer-coded variable).
     *
     * @throws RefusalException {@link RefusalException#UNKNOWN_LEVEL} when the data model does not enumerate it
     */
    static Object level(Cde cde, String level) {
        if (!cde.enumerations().containsKey(level)) {
            throw RefusalException.caller(RefusalException.UNKNOWN_LEVEL, "'" + SqlFilterCompiler.shorten(level) + "' is not a level of '"
                    + cde.code() + "' (its levels: " + String.join(", ", cde.enumerations().keySet()) + ")");
        }
        return cde.sqlType() == SqlType.INT ? (Object) Long.parseLong(level.trim()) : level;
    }

    /** 1.0 on the rows at {@code level} of {@code cde}, else 0.0 (a NULL counts as 0; rows are complete where it is used). */
    static BoundSql of(QueryScope scope, Cde cde, String level) {
        return BoundSql.builder().sql("CAST(CASE WHEN " + scope.quote(cde) + " = ").parameter(level(cde, level))
                .sql(" THEN 1 ELSE 0 END AS " + scope.dialect().doubleType() + ")").build();
    }
}
