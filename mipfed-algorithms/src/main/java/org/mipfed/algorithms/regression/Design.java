package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.mipfed.algorithms.FederationContext;
import org.mipfed.algorithms.NodeAnswer;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
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
 * its rows must still be complete in it; so the nodes are asked for that level's indicator as well
 * (a "carrier" column, constant 1 over the rows used), which the manager drops before solving. The
 * response is the last column asked for.
 *
 * @param regressorNames {@code var[level]} for dummies, the variable for numericals
 * @param columns the columns asked of the nodes: the regressors, then the carriers, then the response
 * @param empty true when some covariate has no level at all: no row is complete
 */
record Design(List<String> regressorNames, List<DesignColumn> columns, boolean empty) {
    Design {
        regressorNames = List.copyOf(regressorNames);
        columns = List.copyOf(columns);
    }

    static Design build(FederationContext federation, String y, List<String> nominal, List<String> numerical, List<String> completeIn) {
        List<String> names = new ArrayList<>();
        List<DesignColumn> columns = new ArrayList<>();
        List<DesignColumn> carriers = new ArrayList<>();
        boolean empty = false;
        if (!nominal.isEmpty()) {
            Map<String, List<String>> levels = levels(federation, nominal, completeIn);
            for (String variable : nominal) {
                List<String> present = levels.get(variable);
                if (present.isEmpty()) {
                    empty = true;
                }
                else if (present.size() == 1) {
                    carriers.add(DesignColumn.newBuilder().setVariable(variable).setLevel(present.get(0)).build());
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
        columns.addAll(carriers);
        columns.add(DesignColumn.newBuilder().setVariable(y).build());
        return new Design(names, columns, empty);
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
        int p = columns.size();
        List<NodeAnswer> answers = federation.compute(PrimitiveQuery.newBuilder()
                .setCrossProducts(CrossProductsQuery.newBuilder().addAllColumns(columns)));
        CrossProducts pooled = CrossProducts.empty(p);
        for (NodeAnswer answer : answers) {
            CrossProductsResult result = answer.result().getCrossProducts();
            if (result.getN() == 0) {
                continue;
            }
            if (result.getMeansCount() != p || result.getComomentsCount() != p * p) {
                throw new Problem(502, "Inconsistent node answer", "The node " + answer.node() + " returned cross-products of "
                        + result.getMeansCount() + " columns, but " + p + " were asked for");
            }
            double[] means = result.getMeansList().stream().mapToDouble(Double::doubleValue).toArray();
            double[] comoments = result.getComomentsList().stream().mapToDouble(Double::doubleValue).toArray();
            pooled = pooled.combine(new CrossProducts(result.getN(), means, comoments));
        }
        int[] kept = new int[regressorNames.size() + 1];
        for (int i = 0; i < regressorNames.size(); i++) {
            kept[i] = i;
        }
        kept[regressorNames.size()] = p - 1;
        return pooled.select(kept);
    }
}
