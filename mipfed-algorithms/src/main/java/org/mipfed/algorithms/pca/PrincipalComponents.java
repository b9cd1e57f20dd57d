package org.mipfed.algorithms.pca;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealVector;
import org.mipfed.algorithms.numerics.Correlations;
import org.mipfed.algorithms.numerics.CrossProducts;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.PooledCrossProducts;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DesignColumn;

/**
 * The principal components of standardized variables, as Exareme2 computes them: the eigenvalues
 * (largest first) and eigenvectors of the covariance of the variables each centred and divided by
 * its standard deviation, which is their correlation matrix. Eigenvectors are defined up to sign;
 * each is given with its largest component positive.
 *
 * <p>It is the result of both {@code pca} and {@code pca_with_transformation}, written in Exareme2's shape: title,
 * n_obs, eigenvalues, eigenvectors (one list per component).
 *
 * @param nObs the rows complete in every variable
 * @param eigenvalues in decreasing order
 * @param eigenvectors one per eigenvalue, in the same order, of unit length
 */
@JsonPropertyOrder({"title", "n_obs", "eigenvalues", "eigenvectors"})
public record PrincipalComponents(long nObs, double[] eigenvalues, double[][] eigenvectors) implements AlgorithmResult {
    private static final String TITLE = "Eigenvalues and Eigenvectors";

    public PrincipalComponents {
        eigenvalues = eigenvalues.clone();
        eigenvectors = Arrays.stream(eigenvectors).map(double[]::clone).toArray(double[][]::new);
    }

    /**
     * Asks the nodes for the cross-products of the variables (each transformed per row as given,
     * "" for none) and checks that they can be standardized.
     *
     * @throws Problem 400 when fewer than 2 rows are complete in them
     */
    static CrossProducts crossProducts(
            String algorithm, AnalysisInput input, FederationContext federation, List<String> transforms) {
        List<String> variables = input.y();
        if (variables.isEmpty()) {
            throw Problem.badRequest(algorithm + " needs at least one variable (y)");
        }
        List<DesignColumn> columns = IntStream.range(0, variables.size())
                .mapToObj(i -> DesignColumn.newBuilder()
                        .setVariable(variables.get(i))
                        .setTransform(transforms.get(i))
                        .build())
                .toList();
        CrossProducts pooled = PooledCrossProducts.compute(federation, columns, List.of());
        if (pooled.n() < 2) {
            throw Problem.badRequest(
                    algorithm + " needs at least 2 rows with a value for every one of " + String.join(", ", variables)
                            + (input.filter() == null ? "" : " (after the filters)") + ", but "
                            + (pooled.n() == 0 ? "no row has" : "only 1 has")
                            + "; choose other variables or datasets");
        }
        return pooled;
    }

    /**
     * The components of the pooled cross-products.
     *
     * @throws Problem 400 naming a variable that has the same value in every row, which cannot be standardized
     */
    static PrincipalComponents of(CrossProducts pooled, List<String> variables) {
        for (int i = 0; i < variables.size(); i++) {
            if (Correlations.constant(pooled, i)) {
                throw Problem.badRequest(
                        "The variable '" + variables.get(i) + "' has the same value in all " + pooled.n()
                                + " selected rows; principal components standardize every variable, which a constant one cannot be. "
                                + "Remove it from y");
            }
        }
        int p = variables.size();
        EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(Correlations.matrix(pooled), false));
        double[] values = eigen.getRealEigenvalues();
        Integer[] order = IntStream.range(0, p).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer k) -> values[k]).reversed());
        double[] sorted = new double[p];
        double[][] vectors = new double[p][];
        for (int k = 0; k < p; k++) {
            sorted[k] = values[order[k]];
            vectors[k] = oriented(eigen.getEigenvector(order[k]));
        }
        return new PrincipalComponents(pooled.n(), sorted, vectors);
    }

    /** The unit vector with its largest component (in absolute value) positive, so results do not flip between runs. */
    private static double[] oriented(RealVector vector) {
        double[] v = vector.unitVector().toArray();
        int largest = 0;
        for (int i = 1; i < v.length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[largest])) {
                largest = i;
            }
        }
        if (v[largest] < 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = -v[i];
            }
        }
        return v;
    }

    /** Exareme2's fixed title of a PCA result. */
    @JsonProperty("title")
    public String title() {
        return TITLE;
    }
}
