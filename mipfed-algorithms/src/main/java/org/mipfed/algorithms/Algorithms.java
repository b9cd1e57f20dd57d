package org.mipfed.algorithms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mipfed.algorithms.anova.OneWayAnova;
import org.mipfed.algorithms.anova.TwoWayAnova;
import org.mipfed.algorithms.contingency.ContingencyTable;
import org.mipfed.algorithms.correlation.PearsonCorrelation;
import org.mipfed.algorithms.descriptive.DescriptiveStats;
import org.mipfed.algorithms.descriptive.Quantiles;
import org.mipfed.algorithms.glm.GeneralizedLinearModel;
import org.mipfed.algorithms.glm.LogisticRegression;
import org.mipfed.algorithms.glm.LogisticRegressionCv;
import org.mipfed.algorithms.histogram.MultipleHistograms;
import org.mipfed.algorithms.kmeans.KMeans;
import org.mipfed.algorithms.naivebayes.NaiveBayesCategoricalCv;
import org.mipfed.algorithms.naivebayes.NaiveBayesGaussianCv;
import org.mipfed.algorithms.pca.Pca;
import org.mipfed.algorithms.pca.PcaWithTransformation;
import org.mipfed.algorithms.regression.LinearMixedModel;
import org.mipfed.algorithms.regression.LinearRegression;
import org.mipfed.algorithms.regression.LinearRegressionCv;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.algorithms.survival.CoxRegression;
import org.mipfed.algorithms.survival.KaplanMeier;
import org.mipfed.algorithms.ttest.IndependentTTest;
import org.mipfed.algorithms.ttest.OneSampleTTest;
import org.mipfed.algorithms.ttest.PairedTTest;
import org.mipfed.core.problem.Problem;

/** The algorithms a manager offers, by name. */
public final class Algorithms {
    private final Map<String, Algorithm> byName;

    /**
     * @throws IllegalArgumentException when two algorithms share a name
     */
    public Algorithms(List<? extends Algorithm> algorithms) {
        Map<String, Algorithm> map = new LinkedHashMap<>();
        for (Algorithm algorithm : algorithms) {
            if (map.putIfAbsent(algorithm.name(), algorithm) != null) {
                throw new IllegalArgumentException("Two algorithms are named " + algorithm.name());
            }
        }
        this.byName = Collections.unmodifiableMap(map);
    }

    /** Every algorithm this version of mipfed implements. */
    public static Algorithms standard() {
        return new Algorithms(List.of(
                new DescriptiveStats(),
                new LinearRegression(),
                new LinearMixedModel(),
                new LogisticRegression(),
                new GeneralizedLinearModel(),
                new PearsonCorrelation(),
                new Pca(),
                new PcaWithTransformation(),
                new MultipleHistograms(),
                new Quantiles(),
                new KMeans(),
                new KaplanMeier(),
                new CoxRegression(),
                new ContingencyTable(),
                new OneSampleTTest(),
                new PairedTTest(),
                new IndependentTTest(),
                new OneWayAnova(),
                new TwoWayAnova(),
                new LinearRegressionCv(),
                new LogisticRegressionCv(),
                new NaiveBayesGaussianCv(),
                new NaiveBayesCategoricalCv()));
    }

    /** All algorithms, in a stable order. */
    public List<Algorithm> all() {
        return new ArrayList<>(byName.values());
    }

    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    public Optional<Algorithm> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The algorithm called {@code name}.
     *
     * @throws Problem 404 naming the algorithms there are
     */
    public Algorithm get(String name) {
        Algorithm algorithm = byName.get(name);
        if (algorithm == null) {
            throw Problem.notFound(
                    "There is no algorithm '" + name + "'; the algorithms are: " + String.join(", ", byName.keySet()));
        }
        return algorithm;
    }
}
