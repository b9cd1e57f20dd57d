package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.mipfed.algorithms.FederationContext;
import org.mipfed.algorithms.NodeAnswer;
import org.mipfed.algorithms.PooledCrossProducts;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.VariableLevels;

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

    static Design build(FederationContext federation, String y, List<String> nominal, List<String> numerical, List<String> completeIn) {
        List<String> names = new ArrayList<>();
        List<DesignColumn> columns = new ArrayList<>();
        boolean empty = false;
        if (!nominal.isEmpty()) {
            Map<String, List<String>> levels = levels(federation, nominal, completeIn);
            for (String variable : nominal) {
                List<String> present = levels.get(variable);
                if (present.isEmpty()) {
                    empty = true;
                }
                for (String level : present.subList(Math.min(1, present.size()), present.size())) {
                    names.add(variable + "[" + level + "]");
                    columns.add(DesignColumn.newBuilder().setVariable(variable).setLevel(level).build());
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

    /** The levels of each nominal variable present in the rows complete in {@code completeIn}, over all nodes, sorted. */
    static Map<String, List<String>> levels(FederationContext federation, List<String> nominal, List<String> completeIn) {
        Map<String, TreeSet<String>> union = new LinkedHashMap<>();
        nominal.forEach(variable -> union.put(variable, new TreeSet<>()));
        List<NodeAnswer> answers = federation.compute(PrimitiveQuery.newBuilder()
                .setLevels(LevelsQuery.newBuilder().addAllNominal(nominal).addAllCompleteIn(completeIn)));
        for (NodeAnswer answer : answers) {
            for (VariableLevels levels : answer.result().getLevels().getVariablesList()) {
                TreeSet<String> set = union.get(levels.getVariable());
                if (set == null) {
                    throw new Problem(502, "Inconsistent node answer", "The node " + answer.node()
                            + " returned levels of '" + levels.getVariable() + "', which was not asked for");
                }
                // TreeSet<String> sorts by String.compareTo: code point order for these codes, like patsy.
                set.addAll(levels.getLevelsList());
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        union.forEach((variable, set) -> out.put(variable, new ArrayList<>(set)));
        return out;
    }

    /** Asks every node for the design's cross-products and pools them: over the regressors, then the response. */
    CrossProducts crossProducts(FederationContext federation) {
        return PooledCrossProducts.compute(federation, columns, completeIn);
    }
}
