package org.mipfed.core.smpc;

import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * {@code cross_products} (linear regression, correlation, PCA): sent raw — n, the column sums and the uncentred
 * products Σ x<sub>i</sub>x<sub>j</sub> — and centred again by the manager from the totals, since centred co-moments
 * of different nodes do not add up.
 */
final class CrossProductsCodec implements SummableCodec {
    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.CROSS_PRODUCTS;
    }

    @Override
    public int length(DataModel model, PrimitiveQuery query) {
        int p = query.getCrossProducts().getColumnsCount();
        return 2 + p + p * p;
    }

    /** n, then Σx (n·mean), then the uncentred products (comoment + n·mean_i·mean_j), row-major. */
    @Override
    public void flatten(DataModel model, PrimitiveQuery query, PrimitiveResult result, double[] out) {
        int p = query.getCrossProducts().getColumnsCount();
        CrossProductsResult c = result.getCrossProducts();
        out[1] = c.getN();
        if (c.getN() == 0) {
            return;
        }
        if (c.getMeansCount() != p || c.getComomentsCount() != p * p) {
            throw new IllegalArgumentException(
                    "cross products of " + c.getMeansCount() + " columns answer a query for " + p);
        }
        double n = c.getN();
        for (int i = 0; i < p; i++) {
            out[2 + i] = n * c.getMeans(i);
        }
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                out[2 + p + i * p + j] = c.getComoments(i * p + j) + n * c.getMeans(i) * c.getMeans(j);
            }
        }
    }

    @Override
    public void unflatten(DataModel model, PrimitiveQuery query, double[] sum, PrimitiveResult.Builder out) {
        int p = query.getCrossProducts().getColumnsCount();
        long n = Math.round(sum[1]);
        CrossProductsResult.Builder c = CrossProductsResult.newBuilder().setN(n);
        if (n > 0) {
            for (int i = 0; i < p; i++) {
                c.addMeans(sum[2 + i] / n);
            }
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    c.addComoments(sum[2 + p + i * p + j] - sum[2 + i] * sum[2 + j] / n);
                }
            }
        }
        out.setCrossProducts(c);
    }
}
