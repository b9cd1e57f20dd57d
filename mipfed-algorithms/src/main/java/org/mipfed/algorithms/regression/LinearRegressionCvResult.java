package org.mipfed.algorithms.regression;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.mipfed.algorithms.crossvalidation.MeanAndStdev;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * What {@code linear_regression_cv} answers, in Exareme2's names.
 *
 * @param dependentVar y
 * @param indepVars "Intercept", then the regressors (numerical covariates and dummy levels)
 * @param nObs each fold's training rows, as Exareme2 lists them
 * @param meanSqError the root of the mean squared error on the test rows (Exareme2's name), over the folds
 * @param rSquared 1 - SSE / TSS on the test rows, over the folds
 * @param meanAbsError the mean absolute error on the test rows, over the folds
 * @param folds each fold's figures
 */
public record LinearRegressionCvResult(
        String dependentVar,
        List<String> indepVars,
        List<Long> nObs,
        MeanAndStdev meanSqError,
        MeanAndStdev rSquared,
        MeanAndStdev meanAbsError,
        PerFold folds)
        implements AlgorithmResult {
    public LinearRegressionCvResult {
        requireNonNull(dependentVar, "dependentVar is null");
        indepVars = List.copyOf(indepVars);
        nObs = List.copyOf(nObs);
        requireNonNull(meanSqError, "meanSqError is null");
        requireNonNull(rSquared, "rSquared is null");
        requireNonNull(meanAbsError, "meanAbsError is null");
        requireNonNull(folds, "folds is null");
    }

    /**
     * One entry per fold in each list, in fold order.
     *
     * @param nObsTrain the rows the fold's model was fitted on
     * @param nObsTest the rows it was scored on
     * @param meanSqError the root mean squared error
     * @param rSquared 1 - SSE / TSS
     * @param meanAbsError the mean absolute error
     */
    public record PerFold(
            List<Long> nObsTrain,
            List<Long> nObsTest,
            List<Double> meanSqError,
            List<Double> rSquared,
            List<Double> meanAbsError) {
        public PerFold {
            nObsTrain = List.copyOf(nObsTrain);
            nObsTest = List.copyOf(nObsTest);
            meanSqError = List.copyOf(meanSqError);
            rSquared = List.copyOf(rSquared);
            meanAbsError = List.copyOf(meanAbsError);
        }
    }
}
