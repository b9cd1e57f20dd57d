package org.mipfed.algorithms.glm;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * Fits a generalised linear model over the federation by Fisher scoring (IRLS; Newton's method for
 * canonical links such as logit), one {@code glm_step} round per iteration: the nodes' sums add up to
 * those of the pooled rows, so every iterate is the pooled one.
 *
 * <p>It starts as R's {@code glm} does (a round at the family's starting means; a logistic regression then
 * goes on from the linear discriminant's coefficients, {@link #discriminantStart}), takes full steps, halves a
 * step that leaves the link's domain or increases the deviance, and stops when the Newton decrement
 * ΔᵀIΔ (the step's squared length in standard errors) falls below {@link #TOLERANCE} ({@link #CANONICAL_TOLERANCE} under
 * a canonical link), far tighter
 * than R's or statsmodels' defaults so that the answer is the maximum itself to about ten digits;
 * that last, tiny step is taken without a round of its own: Newton's method converges quadratically, so
 * after a step of 1e-7 standard errors the coefficients are within about 1e-14 standard errors of the maximum, and
 * the information (hence the standard errors) at the current point differs from the maximum's by a
 * relative 1e-8 or less (measured in R over the dementia data's logistic models: the standard errors' relative
 * error is about a tenth of the step in standard errors). R's own default (a deviance's relative change below 1e-8)
 * would stop where the step is still about 1e-3 standard errors, and so would its standard errors be off. A last
 * round evaluates the intercept-only model for the null deviance, except for binomial models, whose null model
 * fits ȳ.
 */
public final class FisherScoring {
    static final int MAX_ITERATIONS = 60;
    /**
     * Newton decrement at which the fit has converged: steps below 1e-7 standard errors, which leave the standard
     * errors within about 1e-8 (relative) of the maximum's, ten times inside the tests' tolerance against R. It was
     * 1e-20, then 1e-16; each loosening saves a round in some fits for nothing the answer shows.
     */
    static final double TOLERANCE = 1e-14;
    /**
     * The decrement at which a fit under its family's canonical link (logit, log, identity: R's defaults) has
     * converged: steps below about 3e-7 standard errors. Under those links Fisher scoring is Newton's method, which
     * converges quadratically, so the coefficients after such a step are within about 1e-13 standard errors of the
     * maximum and the standard errors within about 3e-8 (relative), three times inside the tests' tolerance against R
     * and the direct fit's. Non-canonical links converge only linearly (Fisher scoring is not Newton's method
     * there) and keep {@link #TOLERANCE}: at 1e-12 a cauchit and a cloglog fit left their coefficients 3e-7 and 4e-9
     * (relative) off the direct fit's.
     */
    static final double CANONICAL_TOLERANCE = 1e-13;
    /** Below this, a decrement that stops shrinking is at the floor of rounding. */
    private static final double ROUNDING_FLOOR = 1e-12;

    /** R's starting means of a binomial model, (y + 1/2) / 2: 1/4 where y is 0, 3/4 where it is 1. */
    private static final double START_MEAN_0 = 0.25;

    private static final double START_MEAN_1 = 0.75;

    private static final int MAX_HALVINGS = 30;
    private static final double SINGULARITY = 1e-10;

    private final FederationContext federation;
    private final GlmModel model;

    private FisherScoring(FederationContext federation, GlmModel model) {
        this.federation = requireNonNull(federation, "federation is null");
        this.model = requireNonNull(model, "model is null");
    }

    /**
     * @throws Problem 400 when no rows are selected, there are too few, the response never or always
     *     takes the positive class, the covariates are collinear, the classes are separated, or the fit
     *     does not converge
     */
    public static GlmFit fit(FederationContext federation, GlmModel model) {
        return new FisherScoring(federation, model).fit();
    }

    private GlmFit fit() {
        int p = model.coefficients();
        Step start = evaluate(null);
        String y = model.response().getVariable();
        if (start.n == 0) {
            throw Problem.badRequest("No selected row has a value for every one of "
                    + String.join(", ", model.completeIn()) + "; choose other variables, datasets or filters");
        }
        if (start.n <= p) {
            throw Problem.badRequest("The model needs more rows than coefficients: " + start.n
                    + " rows have a value for every one of " + String.join(", ", model.completeIn()) + ", for " + p
                    + " coefficients; add datasets or remove covariates");
        }
        if (model.family() == Family.BINOMIAL && (start.sumY == 0 || start.sumY == start.n)) {
            throw Problem.badRequest(
                    "'" + y + "' is " + (start.sumY == 0 ? "never" : "always") + " "
                            + (model.response().getLevel().isEmpty()
                                    ? "1"
                                    : "'" + model.response().getLevel() + "'") + " in the " + start.n
                            + " selected rows, so there is nothing to model; choose another positive class, or other datasets or filters");
        }
        if (start.invalid > 0) {
            throw Problem.badRequest(
                    "Cannot find valid starting values: the " + model.link().wireName() + " link of a "
                            + model.family().wireName() + " model is undefined at some values of '" + y
                            + "' (e.g. log or inverse of values ≤ 0); "
                            + "choose another link");
        }
        double[] beta = solve(start.information, start.working);
        double[] discriminant = discriminantStart(start);
        Step current = evaluate(discriminant != null ? discriminant : beta);
        if (discriminant != null
                && !(current.invalid == 0 && current.deviance <= binomialNullDeviance(start.n, start.sumY))) {
            // A start worse than the intercept alone (covariates far from normal within the classes): R's own first
            // step instead, at the cost of a round.
            current = evaluate(beta);
        }
        if (current.invalid > 0 || !Double.isFinite(current.deviance)) {
            throw Problem.badRequest("No valid set of coefficients was found for the "
                    + model.link().wireName() + " link of a " + model.family().wireName()
                    + " model: its means leave the family's range; choose another link");
        }
        int iterations = 1;
        double tolerance = model.link() == model.family().defaultLink() ? CANONICAL_TOLERANCE : TOLERANCE;
        boolean converged = false;
        double previous = Double.POSITIVE_INFINITY;
        while (!converged && iterations < MAX_ITERATIONS) {
            iterations++;
            double[] delta = solve(current.information, current.score);
            double decrement = dot(delta, current.score) / dispersion(current);
            if (decrement < tolerance) {
                // A step below 1e-7 standard errors (3e-7 under a canonical link): taken without another round, since
                // the sums at the
                // new coefficients would differ from the current ones by terms of the order of the decrement.
                current = current.movedBy(delta);
                converged = true;
                break;
            }
            Step next = null;
            for (int halvings = 0; halvings <= MAX_HALVINGS; halvings++) {
                Step candidate = evaluate(add(current.beta, delta));
                if (candidate.invalid == 0
                        && Double.isFinite(candidate.deviance)
                        && candidate.deviance <= current.deviance + 1e-9 * (Math.abs(current.deviance) + 0.1)) {
                    next = candidate;
                    break;
                }
                for (int j = 0; j < p; j++) {
                    delta[j] /= 2;
                }
            }
            if (next == null) {
                // No step improves: at the maximum up to rounding, or stuck at the edge of the link's domain.
                if (decrement < ROUNDING_FLOOR) {
                    break;
                }
                throw notConverged(current);
            }
            current = next;
            converged = decrement < tolerance || (decrement < ROUNDING_FLOOR && decrement > previous / 4);
            previous = decrement;
        }
        if (!converged && previous >= ROUNDING_FLOOR) {
            throw notConverged(current);
        }
        if (model.family() == Family.BINOMIAL && current.boundary > 0) {
            throw separated();
        }
        double[] covariance = inverse(current.information);
        if (model.family() == Family.BINOMIAL) {
            // The intercept-only model fits the mean ȳ under every link, so its likelihood needs no round.
            double nullLogLikelihood = binomialNullDeviance(current.n, current.sumY) / -2;
            return new GlmFit(
                    current.n,
                    current.beta,
                    covariance,
                    current.deviance,
                    logLikelihood(current),
                    -2 * nullLogLikelihood,
                    nullLogLikelihood,
                    iterations);
        }
        double[] nullBeta = new double[p];
        nullBeta[0] = model.link().apply(current.sumY / current.n);
        Step nullModel = evaluate(nullBeta);
        return new GlmFit(
                current.n,
                current.beta,
                covariance,
                current.deviance,
                logLikelihood(current),
                nullModel.deviance,
                logLikelihood(nullModel),
                iterations);
    }

    /** −2 × the log-likelihood of the intercept-only binomial model, which fits ȳ = sumY / n under every link. */
    private static double binomialNullDeviance(long n, double sumY) {
        double zeros = n - sumY;
        return -2 * (sumY * Math.log(sumY / n) + zeros * Math.log(zeros / n));
    }

    /**
     * A start for a logistic regression closer to the maximum than R's first step, from the sums of the starting
     * round (no round of its own): the linear discriminant's coefficients, which are the maximum-likelihood ones when
     * the covariates are normal with a common covariance in both classes, and which the least-squares fit of the 0/1
     * response gives in closed form (Haggstrom 1983): slopes b·n/RSS, intercept logit(ȳ) − slopesᵀx̄ − (1 − 2ȳ)/2·D²
     * with D² = R²/(ȳ(1 − ȳ)(1 − R²)) the classes' Mahalanobis distance. Over the dementia data's models it
     * saved a Newton step in half the fits and cost one in none (measured in R on 60 random models). Null for other
     * families and links, and when the least-squares fit nearly separates the classes (R² ≥ 0.95), where the start
     * would be far out.
     *
     * <p>The starting round's sums hold XᵀX and Xᵀy: every row's weight there is μ₀(1 − μ₀) with μ₀ = 1/4 or 3/4,
     * the same constant c, so I₀ = c·XᵀX (Xᵀ1 its first column over c), and the score is Xᵀ(y − μ₀) = Xᵀy/2 − Xᵀ1/4.
     */
    private double[] discriminantStart(Step start) {
        if (model.family() != Family.BINOMIAL || model.link() != Link.LOGIT) {
            return null;
        }
        int p = model.coefficients();
        double n = start.n;
        double c = start.information[0] / n;
        double[] crossProducts = new double[p * p];
        for (int i = 0; i < p * p; i++) {
            crossProducts[i] = start.information[i] / c;
        }
        double[] xty = new double[p];
        for (int i = 0; i < p; i++) {
            xty[i] = (start.score[i] + (START_MEAN_0 * crossProducts[i * p])) / (1 - (START_MEAN_1 - START_MEAN_0));
        }
        double[] b = solve(crossProducts, xty);
        double ybar = start.sumY / n;
        double rss = start.sumY - dot(b, xty);
        double r2 = 1 - rss / (n * ybar * (1 - ybar));
        if (!(r2 >= 0 && r2 < 0.95 && rss > 0)) {
            return null;
        }
        double[] beta = new double[p];
        double slopesAtMeans = 0;
        for (int j = 1; j < p; j++) {
            beta[j] = b[j] * n / rss;
            slopesAtMeans += beta[j] * crossProducts[j] / n;
        }
        double mahalanobis = r2 / (ybar * (1 - ybar) * (1 - r2));
        beta[0] = Math.log(ybar / (1 - ybar)) - slopesAtMeans - (1 - 2 * ybar) / 2 * mahalanobis;
        for (double value : beta) {
            if (!Double.isFinite(value)) {
                return null;
            }
        }
        return beta;
    }

    /** Gaussian log-likelihood at the maximum-likelihood dispersion; the nodes' own sum otherwise. */
    private double logLikelihood(Step step) {
        if (model.family() != Family.GAUSSIAN) {
            return step.logLikelihood;
        }
        return -0.5 * step.n * (Math.log(2 * Math.PI * step.deviance / step.n) + 1);
    }

    private double dispersion(Step step) {
        if (!model.family().estimatesDispersion()) {
            return 1;
        }
        return Math.max(step.deviance / (step.n - model.coefficients()), Double.MIN_NORMAL);
    }

    private Problem notConverged(Step step) {
        if (model.family() == Family.BINOMIAL && step.boundary > 0) {
            return separated();
        }
        return Problem.badRequest("The " + model.family().wireName() + " model with the "
                + model.link().wireName() + " link did not " + "converge in " + MAX_ITERATIONS
                + " iterations; try another link, or fewer or other covariates");
    }

    private Problem separated() {
        return Problem.badRequest(
                "The covariates separate the values of '" + model.response().getVariable() + "' (perfectly or almost): "
                        + "some fitted probabilities are numerically 0 or 1, so the coefficients have no finite estimate; remove the covariate "
                        + "that predicts the outcome perfectly, or add data");
    }

    /** One round: every node's sums at {@code beta} (null: at the starting means), added up. */
    private Step evaluate(double[] beta) {
        int p = model.coefficients();
        GlmStepQuery.Builder step = GlmStepQuery.newBuilder()
                .addAllColumns(model.columns())
                .setIntercept(true)
                .setResponse(model.response())
                .setFamily(model.family().wireName())
                .setLink(model.link().wireName())
                .addAllCompleteIn(model.completeIn());
        if (beta != null) {
            for (double b : beta) {
                step.addBeta(b);
            }
        } else if (model.family() == Family.BINOMIAL) {
            step.setStartEta0(model.link().apply(START_MEAN_0))
                    .setStartEta1(model.link().apply(START_MEAN_1));
        }
        List<NodeAnswer> answers =
                federation.compute(PrimitiveQuery.newBuilder().setGlmStep(step));
        Step sum = new Step(p, beta);
        for (NodeAnswer answer : answers) {
            GlmStepResult result = answer.result().getGlmStep();
            if (result.getN() == 0) {
                continue;
            }
            if (result.getInformationCount() != p * p || result.getScoreCount() != p || result.getWorkingCount() != p) {
                throw new Problem(
                        ProblemType.INCONSISTENT_NODE_ANSWER,
                        "The node " + answer.node() + " returned a glm step for " + result.getScoreCount()
                                + " coefficients, but " + p + " were asked for");
            }
            sum.add(result);
        }
        return sum;
    }

    /** I⁻¹ v, by Cholesky on I scaled to unit diagonal (so that covariates of any unit are treated alike). */
    private double[] solve(double[] information, double[] vector) {
        int p = vector.length;
        double[] scale = scale(information, p);
        DecompositionSolver solver = decompose(information, scale);
        double[] scaled = new double[p];
        for (int i = 0; i < p; i++) {
            scaled[i] = vector[i] / scale[i];
        }
        double[] solution = solver.solve(new ArrayRealVector(scaled, false)).toArray();
        for (int i = 0; i < p; i++) {
            solution[i] /= scale[i];
        }
        return solution;
    }

    private double[] inverse(double[] information) {
        int p = model.coefficients();
        double[] scale = scale(information, p);
        RealMatrix inverse = decompose(information, scale).getInverse();
        double[] out = new double[p * p];
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                out[i * p + j] = inverse.getEntry(i, j) / (scale[i] * scale[j]);
            }
        }
        return out;
    }

    private double[] scale(double[] information, int p) {
        double[] scale = new double[p];
        for (int i = 0; i < p; i++) {
            double d = information[i * p + i];
            if (!(d > 0)) {
                throw collinear(i);
            }
            scale[i] = Math.sqrt(d);
        }
        return scale;
    }

    private DecompositionSolver decompose(double[] information, double[] scale) {
        int p = scale.length;
        RealMatrix matrix = new Array2DRowRealMatrix(p, p);
        for (int i = 0; i < p; i++) {
            for (int j = 0; j <= i; j++) {
                double r = 0.5 * (information[i * p + j] + information[j * p + i]) / (scale[i] * scale[j]);
                matrix.setEntry(i, j, r);
                matrix.setEntry(j, i, r);
            }
        }
        try {
            return new CholeskyDecomposition(matrix, 1e-6, SINGULARITY).getSolver();
        } catch (NonPositiveDefiniteMatrixException e) {
            throw collinear(e.getRow());
        }
    }

    private Problem collinear(int column) {
        if (column == 0) {
            return Problem.badRequest("The model cannot be estimated: its intercept is collinear with the covariates");
        }
        List<String> before = model.names().subList(0, column - 1);
        return Problem.badRequest(
                "The covariates are collinear: '" + model.names().get(column - 1) + "' is (almost) a linear "
                        + "combination of the intercept" + (before.isEmpty() ? "" : " and " + String.join(", ", before))
                        + " in the selected rows, so their effects cannot be told apart; remove one of them from x");
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    /** The pooled sums of one round. */
    private static final class Step {
        final double[] beta;
        final double[] information;
        final double[] score;
        final double[] working;
        long n;
        long invalid;
        long boundary;
        double deviance;
        double logLikelihood;
        double sumY;

        Step(int p, double[] beta) {
            this.beta = beta;
            this.information = new double[p * p];
            this.score = new double[p];
            this.working = new double[p];
        }

        /** The same sums, standing for the coefficients moved by {@code delta}. */
        Step movedBy(double[] delta) {
            Step moved = new Step(score.length, FisherScoring.add(beta, delta));
            System.arraycopy(information, 0, moved.information, 0, information.length);
            System.arraycopy(score, 0, moved.score, 0, score.length);
            System.arraycopy(working, 0, moved.working, 0, working.length);
            moved.n = n;
            moved.invalid = invalid;
            moved.boundary = boundary;
            moved.deviance = deviance;
            moved.logLikelihood = logLikelihood;
            moved.sumY = sumY;
            return moved;
        }

        void add(GlmStepResult result) {
            n += result.getN();
            invalid += result.getInvalid();
            boundary += result.getBoundary();
            deviance += result.getDeviance();
            logLikelihood += result.getLogLikelihood();
            sumY += result.getSumY();
            for (int i = 0; i < information.length; i++) {
                information[i] += result.getInformation(i);
            }
            for (int i = 0; i < score.length; i++) {
                score[i] += result.getScore(i);
                working[i] += result.getWorking(i);
            }
        }
    }
}
