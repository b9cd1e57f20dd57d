package org.mipfed.algorithms.support;

import java.util.List;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * Asks every node for the {@code cross_products} of a design and pools their answers into the
 * cross-products of all their rows together: the one way flows get n, means and co-moments.
 */
public final class PooledCrossProducts {
    private PooledCrossProducts() {}

    /**
     * The pooled cross-products of {@code columns} over the rows complete in every variable they use
     * and in {@code completeIn}; n is 0 when no node has such a row.
     *
     * @throws Problem 502 when a node answers with the wrong number of columns
     */
    public static CrossProducts compute(
            FederationContext federation, List<DesignColumn> columns, List<String> completeIn) {
        return compute(federation, columns, completeIn, null);
    }

    /** As {@link #compute(FederationContext, List, List)}, over the rows {@code rows} also selects (null: all). */
    public static CrossProducts compute(
            FederationContext federation, List<DesignColumn> columns, List<String> completeIn, Filter rows) {
        int p = columns.size();
        PrimitiveQuery.Builder query = PrimitiveQuery.newBuilder()
                .setCrossProducts(
                        CrossProductsQuery.newBuilder().addAllColumns(columns).addAllCompleteIn(completeIn));
        if (rows != null) {
            query.setFilter(rows);
        }
        List<NodeAnswer> answers = federation.compute(query);
        CrossProducts pooled = CrossProducts.empty(p);
        for (NodeAnswer answer : answers) {
            CrossProductsResult result = answer.result().getCrossProducts();
            if (result.getN() == 0) {
                continue;
            }
            if (result.getMeansCount() != p || result.getComomentsCount() != p * p) {
                throw new Problem(
                        ProblemType.INCONSISTENT_NODE_ANSWER,
                        "The node " + answer.node() + " returned cross-products of " + result.getMeansCount()
                                + " columns, but " + p + " were asked for");
            }
            double[] means = result.getMeansList().stream()
                    .mapToDouble(Double::doubleValue)
                    .toArray();
            double[] comoments = result.getComomentsList().stream()
                    .mapToDouble(Double::doubleValue)
                    .toArray();
            pooled = pooled.combine(new CrossProducts(result.getN(), means, comoments));
        }
        return pooled;
    }
}
