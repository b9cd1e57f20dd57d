package org.mipfed.algorithms.glm;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.mipfed.proto.v1.GlmColumn;

/**
 * A generalised linear model to fit over the federation: always with an intercept, then the covariate
 * columns (named as in the result), the response, the family and link, and the variables every row
 * used must be complete in (all of x and y, including nominal covariates that yield no column).
 */
public record GlmModel(
        List<String> names,
        List<GlmColumn> columns,
        GlmColumn response,
        Family family,
        Link link,
        List<String> completeIn) {
    public GlmModel {
        names = List.copyOf(names);
        columns = List.copyOf(columns);
        requireNonNull(response, "response is null");
        requireNonNull(family, "family is null");
        requireNonNull(link, "link is null");
        completeIn = List.copyOf(completeIn);
        if (names.size() != columns.size()) {
            throw new IllegalArgumentException(names.size() + " names for " + columns.size() + " columns");
        }
    }

    /** Coefficients: the intercept and one per column. */
    public int coefficients() {
        return columns.size() + 1;
    }
}
