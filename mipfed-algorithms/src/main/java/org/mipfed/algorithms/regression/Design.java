package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.NominalLevels;
import org.mipfed.algorithms.support.PooledCrossProducts;
import org.mipfed.proto.v1.DesignColumn;

/**
 * A regression design as statsmodels/patsy builds it: each nominal covariate dummy-coded over the
 * levels present in the selected rows of all nodes, in code point order, the first level being the
 * reference (dropped); dummies first (in x order), then numerical covariates (in x order).
 *
 * <p>A nominal covariate with a single level present contributes no regressor (as in Exareme2), but
 * its rows must still be complete in it; so the nodes are asked for the cross-products over the rows
 * complete in every variable of the model ({@code complete_in}), whichever columns the design keeps.
 * The response is the last column asked for.
 *
 * @param regressorNames {@code var[level]} for dummies, the variable for numericals
 * @param columns the columns asked of the nodes: the regressors, then the response
 * @param completeIn every variable of the model: the rows used are complete in all of them
 * @param empty true when some covariate has no level at all: no row is complete
 */
record Design(List<String> regressorNames, List<DesignColumn> columns, List<String> completeIn, boolean empty) {
    Design {
        regressorNames = List.copyOf(regressorNames);
        columns = List.copyOf(columns);
        completeIn = List.copyOf(completeIn);
    }

    static Design build(
            FederationContext federation,
            String y,
            List<String> nominal,
            List<String> numerical,
            List<String> completeIn) {
        List<String> names = new ArrayList<>();
        List<DesignColumn> columns = new ArrayList<>();
        boolean empty = false;
        if (!nominal.isEmpty()) {
            Map<String, List<String>> levels = NominalLevels.present(federation, nominal, completeIn);
            for (String variable : nominal) {
                List<String> present = levels.get(variable);
                if (present.isEmpty()) {
                    empty = true;
                }
                for (String level : present.subList(Math.min(1, present.size()), present.size())) {
                    names.add(variable + "[" + level + "]");
                    columns.add(DesignColumn.newBuilder()
                            .setVariable(variable)
                            .setLevel(level)
                            .build());
                }
            }
        }
        for (String variable : numerical) {
            names.add(variable);
            columns.add(DesignColumn.newBuilder().setVariable(variable).build());
        }
        columns.add(DesignColumn.newBuilder().setVariable(y).build());
        return new Design(names, columns, completeIn, empty);
    }

    /** Asks every node for the design's cross-products and pools them: over the regressors, then the response. */
    CrossProducts crossProducts(FederationContext federation) {
        return PooledCrossProducts.compute(federation, columns, completeIn);
    }
}
