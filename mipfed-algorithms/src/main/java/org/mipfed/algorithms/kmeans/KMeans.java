package org.mipfed.algorithms.kmeans;

import java.util.Arrays;
import java.util.List;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.KmeansCluster;
import org.mipfed.proto.v1.KmeansStepQuery;
import org.mipfed.proto.v1.KmeansStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * Exareme2's {@code kmeans}: Lloyd's algorithm over the rows complete in the variables (y), run as
 * Exareme2 runs it so that the centres come out the same.
 *
 * <p>The initial centres are drawn uniformly in the box of the pooled minima and maxima with numpy's
 * {@code RandomState(123)}, as Exareme2 draws them; only the box leaves the nodes. Each round, every
 * node returns per centre the count and sums of its rows nearest to that centre, and the new centre is
 * their pooled mean (a centre no row is nearest to moves to the origin, as in Exareme2). The rounds
 * stop after {@code maxiter} or once the Frobenius norm of the centres' move is at most {@code tol}.
 *
 * <p>A node withholds a cluster of fewer rows than its minimum; the centre then moves to the mean of
 * the rows released, or stays where it was when none is.
 */
public final class KMeans extends SpecifiedAlgorithm {
    public static final String NAME = "kmeans";
    /** Exareme2's seed for the initial centres. */
    static final long SEED = 123;

    private static final String TITLE = "K-Means Centers";

    public KMeans() {
        super(NAME);
    }

    @Override
    public KMeansResult run(AnalysisInput input, FederationContext federation) {
        List<String> variables = variables(input);
        int k = input.parameters().path("k").asInt();
        int maxiter = input.parameters().path("maxiter").asInt();
        double tol = input.parameters().path("tol").asDouble();
        int d = variables.size();
        double[] low = new double[d];
        double[] high = new double[d];
        long n = range(federation, variables, low, high);
        if (n == 0) {
            throw Problem.notEnoughData("No row of the selected datasets has a value for every one of "
                    + String.join(", ", variables) + (input.filter() == null ? "" : " (after the filters)")
                    + "; choose other variables or datasets");
        }
        if (k > n) {
            throw Problem.badRequest("The parameter 'k' of " + NAME + " asks for " + k + " clusters, but only " + n
                    + " rows have a value "
                    + "for every one of " + String.join(", ", variables)
                    + (input.filter() == null ? "" : " (after the filters)")
                    + "; choose k of at most " + n + ", or select more rows");
        }
        return lloyd(federation, variables, new NumpyRandomState(SEED).uniform(low, high, k), maxiter, tol, n);
    }

    /** Lloyd's rounds from {@code centres} until {@code maxiter} or a move of at most {@code tol}. */
    private static KMeansResult lloyd(
            FederationContext federation, List<String> variables, double[][] centres, int maxiter, double tol, long n) {
        int iterations = 0;
        while (true) {
            double[][] next = step(federation, variables, centres);
            iterations++;
            double moved = frobenius(next, centres);
            centres = next;
            if (iterations >= maxiter || moved <= tol) {
                return new KMeansResult(TITLE, centres, n, iterations);
            }
        }
    }

    /** The variables to cluster: y, numerical only. The request validator has refused a variable named twice. */
    private static List<String> variables(AnalysisInput input) {
        DataModel model = input.dataModel();
        List<String> variables = input.y();
        if (variables.isEmpty()) {
            throw Problem.badRequest(NAME + " needs at least one numerical variable (y)");
        }
        for (String variable : variables) {
            Cde cde = model.cde(variable);
            if (cde == null || !cde.numerical()) {
                throw Problem.badRequest(NAME + " clusters numerical variables only; '" + variable + "' is "
                        + (cde == null ? "not in the data model " + model.id() : "not numerical")
                        + ". Remove it from y");
            }
        }
        return variables;
    }

    /** The pooled n, and each variable's pooled min and max into {@code low} and {@code high}. */
    private static long range(FederationContext federation, List<String> variables, double[] low, double[] high) {
        Arrays.fill(low, Double.POSITIVE_INFINITY);
        Arrays.fill(high, Double.NEGATIVE_INFINITY);
        long n = 0;
        for (NodeAnswer answer : federation.compute(PrimitiveQuery.newBuilder()
                .setKmeansStep(KmeansStepQuery.newBuilder().addAllVariables(variables)))) {
            KmeansStepResult range = answer.result().getKmeansStep();
            if (range.getN() == 0) {
                continue;
            }
            if (range.getMinCount() != low.length || range.getMaxCount() != low.length) {
                throw inconsistent(answer.node(), "a min and a max for each of " + low.length + " variables");
            }
            n += range.getN();
            for (int j = 0; j < low.length; j++) {
                low[j] = Math.min(low[j], range.getMin(j));
                high[j] = Math.max(high[j], range.getMax(j));
            }
        }
        return n;
    }

    /** One Lloyd step: the pooled mean of the rows nearest to each centre. */
    private static double[][] step(FederationContext federation, List<String> variables, double[][] centres) {
        int k = centres.length;
        int d = variables.size();
        KmeansStepQuery.Builder query = KmeansStepQuery.newBuilder().addAllVariables(variables);
        for (double[] centre : centres) {
            Arrays.stream(centre).forEach(query::addCentres);
        }
        long[] counts = new long[k];
        double[][] sums = new double[k][d];
        boolean[] withheld = new boolean[k];
        for (NodeAnswer answer : federation.compute(PrimitiveQuery.newBuilder().setKmeansStep(query))) {
            KmeansStepResult result = answer.result().getKmeansStep();
            if (result.getN() == 0) {
                continue;
            }
            if (result.getClustersCount() != k) {
                throw inconsistent(answer.node(), k + " clusters");
            }
            for (int c = 0; c < k; c++) {
                KmeansCluster cluster = result.getClusters(c);
                if (cluster.getSuppressed()) {
                    withheld[c] = true;
                    continue;
                }
                if (cluster.getSumsCount() != d) {
                    throw inconsistent(answer.node(), d + " sums per cluster");
                }
                counts[c] += cluster.getCount();
                for (int j = 0; j < d; j++) {
                    sums[c][j] += cluster.getSums(j);
                }
            }
        }
        double[][] next = new double[k][d];
        for (int c = 0; c < k; c++) {
            if (counts[c] > 0) {
                for (int j = 0; j < d; j++) {
                    next[c][j] = sums[c][j] / counts[c];
                }
            } else if (withheld[c]) {
                next[c] = centres[c].clone();
            }
        }
        return next;
    }

    /** numpy.linalg.norm(a - b, "fro"). */
    private static double frobenius(double[][] a, double[][] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                double delta = a[i][j] - b[i][j];
                sum += delta * delta;
            }
        }
        return Math.sqrt(sum);
    }

    private static Problem inconsistent(String node, String what) {
        return new Problem(
                ProblemType.INCONSISTENT_NODE_ANSWER,
                "The node " + node + " did not return " + what + " for kmeans_step; "
                        + "it may run an incompatible version of mipfed");
    }
}
