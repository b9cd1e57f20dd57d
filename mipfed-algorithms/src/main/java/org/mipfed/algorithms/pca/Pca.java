package org.mipfed.algorithms.pca;

import java.util.Collections;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;

/**
 * Exareme2's {@code pca}: principal components of numerical variables (y), standardized, over the
 * rows complete in all of them. One round: their cross-products, which combine exactly into the
 * pooled ones, give the correlation matrix, whose eigen-decomposition the manager computes.
 */
public final class Pca extends SpecifiedAlgorithm {
    public static final String NAME = "pca";

    public Pca() {
        super(NAME);
    }

    @Override
    public PrincipalComponents run(AnalysisInput input, FederationContext federation) {
        CrossProducts pooled = PrincipalComponents.crossProducts(
                NAME, input, federation, Collections.nCopies(input.y().size(), ""));
        return PrincipalComponents.of(pooled, input.y());
    }
}
