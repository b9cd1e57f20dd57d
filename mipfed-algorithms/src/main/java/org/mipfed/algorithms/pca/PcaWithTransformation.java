package org.mipfed.algorithms.pca;

import java.util.List;
import org.mipfed.algorithms.numerics.Correlations;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.problem.Problem;

/**
 * Exareme2's {@code pca_with_transformation}: {@link Pca} after log, exp, centring or standardization
 * of chosen variables ({@link DataTransformation}).
 *
 * <p>The nodes take the log or exp of each value in their cross-products and refuse a log of a
 * non-positive value themselves ("Log transformation cannot be applied to non-positive values.").
 * Centring and standardization are affine, so they leave the correlation matrix as it is; the
 * manager only checks, on the pooled moments, that every variable to standardize varies.
 */
public final class PcaWithTransformation extends SpecifiedAlgorithm {
    public static final String NAME = "pca_with_transformation";

    public PcaWithTransformation() {
        super(NAME);
    }

    @Override
    public PrincipalComponents run(AnalysisInput input, FederationContext federation) {
        List<String> variables = input.y();
        DataTransformation transformation =
                DataTransformation.parse(input.parameters().get("data_transformation"), variables);
        CrossProducts pooled =
                PrincipalComponents.crossProducts(NAME, input, federation, transformation.perRow(variables));
        for (int i = 0; i < variables.size(); i++) {
            if (transformation.standardized().contains(variables.get(i)) && Correlations.constant(pooled, i)) {
                throw Problem.badRequest("Standardization cannot be applied to column '" + variables.get(i)
                        + "' because its standard " + "deviation is zero (it has the same value in all " + pooled.n()
                        + " selected rows); remove it from standardize");
            }
        }
        return PrincipalComponents.of(pooled, variables);
    }
}
