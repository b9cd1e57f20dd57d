package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.NominalLevels;
import org.mipfed.algorithms.support.PooledCrossProducts;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
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
 * <p>{@link #build} finds the present levels in a round of their own ({@code levels}); {@link #inOneRound} asks
 * instead for the indicators of every level the data model enumerates and drops, on the manager, the levels absent
 * from every node's rows (a node counts only the columns with rows against its {@code max_parameter_ratio}).
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

    /**
     * The design and its pooled cross-products in one round: every node is asked for the indicators of every level
     * the data model enumerates for each nominal covariate (a full coding, no reference dropped, since which level
     * is the first present one is not known yet), the numerical covariates and the response; then the levels with
     * no row on any node are dropped, and the first present one of each variable, the reference, too. The
     * cross-products of the columns kept are the sub-matrix of the pooled ones, exactly what {@link #build} and
     * {@link #crossProducts} give in two rounds.
     */
    static Pooled inOneRound(
            FederationContext federation,
            DataModel model,
            String y,
            List<String> nominal,
            List<String> numerical,
            List<String> completeIn) {
        List<DesignColumn> asked = new ArrayList<>();
        List<List<String>> enumerated = new ArrayList<>();
        for (String variable : nominal) {
            Cde cde = model.cde(variable);
            // TreeSet<String> sorts by String.compareTo: code point order, like patsy (and NominalLevels).
            List<String> levels =
                    new ArrayList<>(new TreeSet<>(cde.enumerations().keySet()));
            enumerated.add(levels);
            for (String level : levels) {
                asked.add(DesignColumn.newBuilder()
                        .setVariable(variable)
                        .setLevel(level)
                        .build());
            }
        }
        for (String variable : numerical) {
            asked.add(DesignColumn.newBuilder().setVariable(variable).build());
        }
        asked.add(DesignColumn.newBuilder().setVariable(y).build());
        CrossProducts all = PooledCrossProducts.compute(federation, asked, completeIn);
        if (all.n() == 0) {
            return new Pooled(new Design(List.of(), List.of(), completeIn, true), CrossProducts.empty(1));
        }
        List<String> names = new ArrayList<>();
        List<DesignColumn> columns = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        int column = 0;
        for (int v = 0; v < nominal.size(); v++) {
            boolean reference = true;
            for (String level : enumerated.get(v)) {
                // The level's rows over all nodes: n times the indicator's mean, an integer up to rounding.
                boolean present = Math.round(all.n() * all.mean(column)) > 0;
                if (present && !reference) {
                    names.add(nominal.get(v) + "[" + level + "]");
                    columns.add(asked.get(column));
                    kept.add(column);
                }
                reference &= !present;
                column++;
            }
        }
        for (String variable : numerical) {
            names.add(variable);
            columns.add(asked.get(column));
            kept.add(column++);
        }
        columns.add(asked.get(column));
        kept.add(column);
        return new Pooled(
                new Design(names, columns, completeIn, false),
                all.select(kept.stream().mapToInt(Integer::intValue).toArray()));
    }

    /**
     * A design and the pooled cross-products of its columns (the regressors, then the response).
     *
     * @param design the design, its levels those present on some node
     * @param pooled over {@code design}'s columns; empty over one column when no row is selected
     */
    record Pooled(Design design, CrossProducts pooled) {}

    /** Asks every node for the design's cross-products and pools them: over the regressors, then the response. */
    CrossProducts crossProducts(FederationContext federation) {
        return PooledCrossProducts.compute(federation, columns, completeIn);
    }
}
