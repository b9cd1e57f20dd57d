package org.mipfed.algorithms.survival;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.special.Erf;
import org.apache.commons.math3.special.Gamma;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.NominalLevels;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.CoxBin;
import org.mipfed.proto.v1.CoxStepQuery;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * {@code cox_regression} (ours, beyond Exareme2): R's {@code coxph(Surv(time, event) ~ x + strata(s))} with Efron's
 * (default) or Breslow's handling of ties, over times binned on the nodes as {@code kaplan_meier} bins them, and
 * {@code cox.zph} (transform "km").
 *
 * <p>Each Newton step is one round of {@code cox_step}: every node sums, per stratum and time bin, its events and
 * censored rows, Σ w, Σ w x, Σ w x xᵀ (w = exp(x·β)) over the bin's rows and over its events, and Σ x over its events.
 * Summed over nodes these are the pooled bins' sums; added from the last bin down they are each risk set's, from which
 * the partial likelihood, its score and information follow exactly as coxph computes them (all events of a bin share
 * its time). The steps start at β = 0 and halve when the likelihood falls, as coxph's; they stop when the likelihood's
 * relative change is below 1e-11.
 */
public final class CoxRegression extends SpecifiedAlgorithm {
    public static final String NAME = "cox_regression";
    static final double CONFIDENCE = 0.95;
    static final double EPS = 1e-11;
    static final int MAX_ITERATIONS = 50;

    public CoxRegression() {
        super(NAME);
    }

    @Override
    public CoxRegressionResult run(AnalysisInput input, FederationContext federation) {
        Request request = Request.of(input);
        PAdjust adjust = PAdjust.of(input.parameters().path(PAdjust.PARAMETER).asText(""));
        Design design = Design.of(request, federation);
        Model model = new Model(request, design.columns());
        int p = design.columns().size();

        Step start = model.step(federation, new double[p], new double[p]);
        if (start.n() == 0) {
            throw Problem.notEnoughData("No row of the selected datasets has a value for every one of "
                    + String.join(", ", request.used()) + (input.filter() == null ? "" : " (after the filters)")
                    + "; choose other variables or datasets");
        }
        if (start.events() == 0) {
            throw Problem.badRequest("No row of the selected datasets had the event ('"
                    + request.event().code() + "' = " + request.eventLevel() + "); " + NAME
                    + " needs events to estimate hazard ratios");
        }
        double[] mean = start.mean();
        Efron zero = start.likelihood(request.efron(), new double[p]);
        double[] beta = new double[p];
        Efron current = zero;
        int iterations = 0;
        while (iterations < MAX_ITERATIONS) {
            double[] next = add(beta, solve(current.information(), current.score(), design.names()));
            Efron trial = model.step(federation, next, mean).likelihood(request.efron(), next);
            iterations++;
            int halvings = 0;
            while (!(trial.logLik() >= current.logLik() - 1e-12 * Math.abs(current.logLik())) && halvings < 30) {
                for (int j = 0; j < p; j++) {
                    next[j] = (beta[j] + next[j]) / 2;
                }
                trial = model.step(federation, next, mean).likelihood(request.efron(), next);
                halvings++;
            }
            double change = Math.abs(1 - current.logLik() / trial.logLik());
            beta = next;
            current = trial;
            if (change <= EPS) {
                break;
            }
        }
        Step last = model.step(federation, beta, mean);
        Efron fit = last.likelihood(request.efron(), beta);
        RealMatrix variance = inverse(fit.information(), design.names());
        ProportionalHazardsTest zph = ProportionalHazardsTest.of(last, request.efron(), beta, design);
        return result(request, design, start, zero, fit, beta, variance, iterations, zph, adjust);
    }

    /**
     * A request once checked.
     *
     * @param covariates the covariates as requested
     * @param strata the strata variable, or null
     */
    record Request(
            Cde time, Cde event, String eventLevel, List<Cde> covariates, Cde strata, double width, boolean efron) {
        static Request of(AnalysisInput input) {
            DataModel model = input.dataModel();
            if (input.y().size() != 1) {
                throw Problem.badRequest(NAME + " takes exactly one time variable (y), not "
                        + input.y().size());
            }
            Cde time = model.cde(input.y().get(0));
            if (time == null || !time.numerical()) {
                throw Problem.badRequest("The time variable '" + input.y().get(0) + "' "
                        + (time == null ? "is not in the data model " + model.id() : "is not numerical") + "; " + NAME
                        + " needs a numerical time (y)");
            }
            if (input.x().size() < 2) {
                throw Problem.badRequest(NAME + " takes the event variable (the first x), then one or more covariates; "
                        + "got " + input.x().size() + " variable" + (input.x().size() == 1 ? "" : "s") + " in x");
            }
            Cde event = model.cde(input.x().get(0));
            if (event == null || !event.categorical()) {
                throw Problem.badRequest("The event variable (the first x) '"
                        + input.x().get(0) + "' "
                        + (event == null ? "is not in the data model " + model.id() : "is not nominal") + "; " + NAME
                        + " needs a nominal event variable there");
            }
            String eventLevel = input.parameters().path("event_level").asText("");
            if (!event.enumerations().containsKey(eventLevel)) {
                throw Problem.badRequest(
                        "The parameter event_level must be one of the levels of the event variable '" + event.code()
                                + "': " + String.join(", ", event.enumerations().keySet())
                                + (eventLevel.isEmpty() ? "" : "; not '" + eventLevel + "'"));
            }
            List<Cde> covariates = new ArrayList<>();
            for (String code : input.x().subList(1, input.x().size())) {
                Cde cde = model.cde(code);
                if (cde == null) {
                    throw Problem.badRequest("The covariate '" + code + "' is not in the data model " + model.id());
                }
                if (cde.code().equals(time.code()) || cde.code().equals(event.code())) {
                    throw Problem.badRequest("'" + code + "' is the time or the event variable of " + NAME
                            + "; it cannot be a covariate too");
                }
                covariates.add(cde);
            }
            String strataCode = input.parameters().path("strata").asText("");
            Cde strata = null;
            if (!strataCode.isEmpty()) {
                strata = model.cde(strataCode);
                if (strata == null || !strata.categorical()) {
                    throw Problem.badRequest("The parameter strata '" + strataCode + "' "
                            + (strata == null ? "is not a variable of the data model " + model.id() : "is not nominal")
                            + "; " + NAME + " stratifies by a nominal variable");
                }
                if (strata.equals(time) || strata.equals(event) || covariates.contains(strata)) {
                    throw Problem.badRequest("The strata variable '" + strataCode + "' of " + NAME
                            + " must differ from the time, the event and the covariates");
                }
            }
            double width = input.parameters().path("bin_width").asDouble(1);
            if (!(width > 0) || !Double.isFinite(width)) {
                throw Problem.badRequest(
                        "The parameter bin_width of " + NAME + " must be a positive number, not " + width);
            }
            String ties = input.parameters().path("ties").asText("efron");
            if (!ties.equals("efron") && !ties.equals("breslow")) {
                throw Problem.badRequest("The parameter ties of " + NAME + " is efron or breslow, not '" + ties + "'");
            }
            return new Request(time, event, eventLevel, covariates, strata, width, ties.equals("efron"));
        }

        /** The variables every row used is complete in. */
        List<String> used() {
            List<String> used = new ArrayList<>(List.of(time.code(), event.code()));
            covariates.forEach(c -> used.add(c.code()));
            if (strata != null) {
                used.add(strata.code());
            }
            return used;
        }
    }

    /**
     * The model's columns, as glm's: each nominal covariate's levels present (code point order) but the first, then
     * the numerical covariates; {@code terms} is each covariate's columns, in that order.
     */
    record Design(List<String> names, List<GlmColumn> columns, List<String> terms, List<int[]> termColumns) {
        static Design of(Request request, FederationContext federation) {
            List<String> nominal = new ArrayList<>();
            List<String> numerical = new ArrayList<>();
            for (Cde cde : request.covariates()) {
                (cde.categorical() ? nominal : numerical).add(cde.code());
            }
            List<String> names = new ArrayList<>();
            List<GlmColumn> columns = new ArrayList<>();
            List<String> terms = new ArrayList<>();
            List<int[]> termColumns = new ArrayList<>();
            if (!nominal.isEmpty()) {
                Map<String, List<String>> levels = NominalLevels.present(federation, nominal, request.used());
                for (String variable : nominal) {
                    List<String> present = levels.get(variable);
                    int first = columns.size();
                    for (String level : present.subList(Math.min(1, present.size()), present.size())) {
                        names.add(variable + "[" + level + "]");
                        columns.add(GlmColumn.newBuilder()
                                .setVariable(variable)
                                .setLevel(level)
                                .build());
                    }
                    if (columns.size() > first) {
                        terms.add(variable);
                        termColumns.add(range(first, columns.size()));
                    }
                }
            }
            for (String variable : numerical) {
                terms.add(variable);
                termColumns.add(range(columns.size(), columns.size() + 1));
                names.add(variable);
                columns.add(GlmColumn.newBuilder().setVariable(variable).build());
            }
            if (columns.isEmpty()) {
                throw Problem.badRequest("The covariates of " + NAME + " ("
                        + String.join(", ", nominal)
                        + ") have a single level each in the selected rows; choose covariates that vary");
            }
            return new Design(names, columns, terms, termColumns);
        }

        private static int[] range(int from, int to) {
            int[] out = new int[to - from];
            for (int i = 0; i < out.length; i++) {
                out[i] = from + i;
            }
            return out;
        }
    }

    /** How to ask the nodes for a step. */
    private record Model(Request request, List<GlmColumn> columns) {
        Step step(FederationContext federation, double[] beta, double[] mean) {
            double offset = 0;
            for (int j = 0; j < beta.length; j++) {
                offset += beta[j] * mean[j];
            }
            CoxStepQuery.Builder query = CoxStepQuery.newBuilder()
                    .setTime(request.time().code())
                    .setEvent(request.event().code())
                    .setEventLevel(request.eventLevel())
                    .setBinWidth(request.width())
                    .addAllColumns(columns)
                    .setOffset(offset);
            for (double b : beta) {
                query.addBeta(b);
            }
            if (request.strata() != null) {
                query.setStrata(request.strata().code());
            }
            return Step.pool(federation.compute(PrimitiveQuery.newBuilder().setCoxStep(query)), columns.size(), offset);
        }
    }

    /**
     * The pooled bins of one step: per stratum, bin → sums (see {@link Bin}).
     *
     * @param offset what the nodes subtracted from x·β before exp
     */
    record Step(long n, long events, Map<String, TreeMap<Long, Bin>> strata, int p, double offset) {
        static Step pool(List<NodeAnswer> answers, int p, double offset) {
            Map<String, TreeMap<Long, Bin>> strata = new LinkedHashMap<>();
            long n = 0;
            long events = 0;
            int triangle = p * (p + 1) / 2;
            for (NodeAnswer answer : answers) {
                n += answer.result().getCoxStep().getN();
                for (CoxBin bin : answer.result().getCoxStep().getBinsList()) {
                    if (bin.getWxCount() != p
                            || bin.getEventWxCount() != p
                            || bin.getEventXCount() != p
                            || bin.getWxxCount() != triangle
                            || bin.getEventWxxCount() != triangle) {
                        throw new Problem(
                                ProblemType.INCONSISTENT_NODE_ANSWER,
                                "The node " + answer.node() + " returned Cox sums that do not fit the request; it may "
                                        + "run an incompatible version of mipfed");
                    }
                    strata.computeIfAbsent(bin.getStratum(), s -> new TreeMap<>())
                            .computeIfAbsent(bin.getBin(), b -> new Bin(p))
                            .add(bin, p);
                    events += bin.getEvents();
                }
            }
            return new Step(n, events, strata, p, offset);
        }

        /** The mean of each column over all rows: at β = 0 every w is 1. */
        double[] mean() {
            double[] sum = new double[p];
            double rows = 0;
            for (TreeMap<Long, Bin> bins : strata.values()) {
                for (Bin bin : bins.values()) {
                    rows += bin.w;
                    for (int j = 0; j < p; j++) {
                        sum[j] += bin.wx[j];
                    }
                }
            }
            for (int j = 0; j < p; j++) {
                sum[j] /= rows;
            }
            return sum;
        }

        /** The log partial likelihood, score and information at β. */
        Efron likelihood(boolean efron, double[] beta) {
            Efron out = new Efron(p);
            for (TreeMap<Long, Bin> bins : strata.values()) {
                Bin risk = new Bin(p);
                for (Bin bin : bins.descendingMap().values()) {
                    risk.add(bin);
                    if (bin.events > 0) {
                        out.add(risk, bin, efron, beta, 1);
                    }
                }
            }
            // The nodes' weights were exp(x·β − offset): log Σ w is off by the offset at each of the D events' terms.
            out.logLik -= events * offset;
            return out;
        }
    }

    /** One bin's sums (or, accumulated, a risk set's). */
    static final class Bin {
        long events;
        long rows;
        double w;
        final double[] wx;
        final double[][] wxx;
        double eventW;
        final double[] eventWx;
        final double[][] eventWxx;
        final double[] eventX;

        Bin(int p) {
            wx = new double[p];
            wxx = new double[p][p];
            eventWx = new double[p];
            eventWxx = new double[p][p];
            eventX = new double[p];
        }

        void add(CoxBin bin, int p) {
            events += bin.getEvents();
            rows += bin.getEvents() + bin.getCensored();
            w += bin.getW();
            eventW += bin.getEventW();
            int k = 0;
            for (int i = 0; i < p; i++) {
                wx[i] += bin.getWx(i);
                eventWx[i] += bin.getEventWx(i);
                eventX[i] += bin.getEventX(i);
                for (int j = i; j < p; j++) {
                    wxx[i][j] += bin.getWxx(k);
                    eventWxx[i][j] += bin.getEventWxx(k);
                    if (j != i) {
                        wxx[j][i] += bin.getWxx(k);
                        eventWxx[j][i] += bin.getEventWxx(k);
                    }
                    k++;
                }
            }
        }

        /** Adds another bin's rows (not its events' sums: a risk set only needs Σ over its rows). */
        void add(Bin bin) {
            rows += bin.rows;
            w += bin.w;
            for (int i = 0; i < wx.length; i++) {
                wx[i] += bin.wx[i];
                for (int j = 0; j < wx.length; j++) {
                    wxx[i][j] += bin.wxx[i][j];
                }
            }
        }
    }

    /**
     * The partial likelihood's log, score and information, summed over the event bins; with a transformed time g
     * it also sums the score of g·x and the information blocks of (x, g·x), as cox.zph does.
     */
    static final class Efron {
        double logLik;
        final double[] score;
        final double[][] information;
        final double[] gScore;
        final double[][] gInformation;
        final double[][] ggInformation;

        Efron(int p) {
            score = new double[p];
            information = new double[p][p];
            gScore = new double[p];
            gInformation = new double[p][p];
            ggInformation = new double[p][p];
        }

        double logLik() {
            return logLik;
        }

        double[] score() {
            return score;
        }

        double[][] information() {
            return information;
        }

        /**
         * One bin with d events at risk set {@code risk}: Breslow's terms once with the whole risk set, Efron's d times
         * with the r/d-th part of the events' weights taken out (r = 0..d−1), as coxph.
         */
        void add(Bin risk, Bin bin, boolean efron, double[] beta, double g) {
            int p = score.length;
            long d = bin.events;
            double linear = 0;
            for (int j = 0; j < p; j++) {
                linear += beta[j] * bin.eventX[j];
            }
            logLik += linear;
            double[] mean = new double[p];
            double[][] variance = new double[p][p];
            double[] meanSum = new double[p];
            int terms = efron ? (int) d : 1;
            for (int r = 0; r < terms; r++) {
                double f = efron ? (double) r / d : 0;
                double s0 = risk.w - f * bin.eventW;
                double weight = efron ? 1 : d;
                logLik -= weight * Math.log(s0);
                for (int i = 0; i < p; i++) {
                    mean[i] = (risk.wx[i] - f * bin.eventWx[i]) / s0;
                    meanSum[i] += weight * mean[i];
                }
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < p; j++) {
                        double s2 = (risk.wxx[i][j] - f * bin.eventWxx[i][j]) / s0;
                        variance[i][j] += weight * (s2 - mean[i] * mean[j]);
                    }
                }
            }
            for (int i = 0; i < p; i++) {
                double u = bin.eventX[i] - meanSum[i];
                score[i] += u;
                gScore[i] += g * u;
                for (int j = 0; j < p; j++) {
                    information[i][j] += variance[i][j];
                    gInformation[i][j] += g * variance[i][j];
                    ggInformation[i][j] += g * g * variance[i][j];
                }
            }
        }
    }

    /**
     * cox.zph's tests (survival 3.x): with g(t) = 1 − KM(t−) of all rows (strata ignored), centred by its mean over the
     * events, the score U of the added covariates g·x at (β̂, 0), and the information of (x, g·x) there. Each covariate's
     * test is Uᵀ I⁻¹ U over the columns x and that covariate's g·x (the score of x taken as 0, as cox.zph does), the
     * global one over all of them.
     */
    record ProportionalHazardsTest(double[] chisq, int[] df, double globalChisq, int globalDf) {
        static ProportionalHazardsTest of(Step step, boolean efron, double[] beta, Design design) {
            int p = step.p();
            // The Kaplan-Meier estimate over all rows, per bin, from the pooled counts (bins ordered over strata).
            TreeMap<Long, long[]> all = new TreeMap<>();
            for (TreeMap<Long, Bin> bins : step.strata().values()) {
                bins.forEach((k, bin) -> {
                    long[] counts = all.computeIfAbsent(k, b -> new long[2]);
                    counts[0] += bin.events;
                    counts[1] += bin.rows;
                });
            }
            long atRisk = step.n();
            double survival = 1;
            Map<Long, Double> g = new TreeMap<>();
            double eventSum = 0;
            for (Map.Entry<Long, long[]> bin : all.entrySet()) {
                double before = 1 - survival;
                g.put(bin.getKey(), before);
                eventSum += bin.getValue()[0] * before;
                survival *= 1 - (double) bin.getValue()[0] / atRisk;
                atRisk -= bin.getValue()[1];
            }
            double centre = eventSum / step.events();
            Efron zph = new Efron(p);
            for (TreeMap<Long, Bin> bins : step.strata().values()) {
                Bin risk = new Bin(p);
                for (Map.Entry<Long, Bin> bin : bins.descendingMap().entrySet()) {
                    risk.add(bin.getValue());
                    if (bin.getValue().events > 0) {
                        zph.add(risk, bin.getValue(), efron, beta, g.get(bin.getKey()) - centre);
                    }
                }
            }
            double[][] full = new double[2 * p][2 * p];
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    full[i][j] = zph.information[i][j];
                    full[i][p + j] = zph.gInformation[i][j];
                    full[p + i][j] = zph.gInformation[i][j];
                    full[p + i][p + j] = zph.ggInformation[i][j];
                }
            }
            int terms = design.terms().size();
            double[] chisq = new double[terms];
            int[] df = new int[terms];
            for (int t = 0; t < terms; t++) {
                int[] jj = design.termColumns().get(t);
                int[] kk = new int[p + jj.length];
                for (int i = 0; i < p; i++) {
                    kk[i] = i;
                }
                for (int i = 0; i < jj.length; i++) {
                    kk[p + i] = p + jj[i];
                }
                double[] u = new double[kk.length];
                for (int i = 0; i < jj.length; i++) {
                    u[p + i] = zph.gScore[jj[i]];
                }
                chisq[t] = quadraticOrNaN(sub(full, kk), u);
                df[t] = jj.length;
            }
            double[] u = new double[2 * p];
            for (int i = 0; i < 2 * p; i++) {
                u[i] = i < p ? 0 : zph.gScore[i - p];
            }
            return new ProportionalHazardsTest(chisq, df, quadraticOrNaN(full, u), p);
        }

        /**
         * Uᵀ I⁻¹ U, or NaN (null in the result) where I is singular: with a single time bin (or events in one bin only)
         * g is the same at every event, so g·x carries nothing and there is no test.
         */
        private static double quadraticOrNaN(double[][] m, double[] u) {
            LUDecomposition lu = new LUDecomposition(new Array2DRowRealMatrix(m, false));
            if (!lu.getSolver().isNonSingular()) {
                return Double.NaN;
            }
            double[] x = lu.getSolver().solve(new ArrayRealVector(u, false)).toArray();
            double out = 0;
            for (int i = 0; i < u.length; i++) {
                out += u[i] * x[i];
            }
            return out;
        }

        private static double[][] sub(double[][] m, int[] index) {
            double[][] out = new double[index.length][index.length];
            for (int i = 0; i < index.length; i++) {
                for (int j = 0; j < index.length; j++) {
                    out[i][j] = m[index[i]][index[j]];
                }
            }
            return out;
        }
    }

    private static CoxRegressionResult result(
            Request request,
            Design design,
            Step start,
            Efron zero,
            Efron fit,
            double[] beta,
            RealMatrix variance,
            int iterations,
            ProportionalHazardsTest zph,
            PAdjust adjust) {
        int p = beta.length;
        double z = new NormalDistribution(null, 0, 1).inverseCumulativeProbability(0.5 + CONFIDENCE / 2);
        double[] se = new double[p];
        double[] zValues = new double[p];
        double[] pValues = new double[p];
        double[] hr = new double[p];
        double[] lower = new double[p];
        double[] upper = new double[p];
        for (int j = 0; j < p; j++) {
            se[j] = Math.sqrt(variance.getEntry(j, j));
            zValues[j] = beta[j] / se[j];
            pValues[j] = 2 * normalUpper(Math.abs(zValues[j]));
            hr[j] = Math.exp(beta[j]);
            lower[j] = Math.exp(beta[j] - z * se[j]);
            upper[j] = Math.exp(beta[j] + z * se[j]);
        }
        double lr = 2 * (fit.logLik() - zero.logLik());
        double wald = 0;
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                wald += beta[i] * fit.information()[i][j] * beta[j];
            }
        }
        double score = quadratic(zero.information(), zero.score(), design.names());
        double[] zphP = new double[zph.chisq().length];
        for (int t = 0; t < zphP.length; t++) {
            zphP[t] = chiSquaredUpper(zph.chisq()[t], zph.df()[t]);
        }
        return new CoxRegressionResult(
                request.time().code(),
                request.event().code(),
                request.eventLevel(),
                request.width(),
                request.efron() ? "efron" : "breslow",
                request.strata() == null ? null : request.strata().code(),
                start.n(),
                start.events(),
                design.names(),
                beta,
                se,
                zValues,
                pValues,
                hr,
                lower,
                upper,
                zero.logLik(),
                fit.logLik(),
                test(lr, p),
                test(wald, p),
                test(score, p),
                iterations,
                new CoxRegressionResult.ProportionalHazards(
                        "km", design.terms(), zph.chisq(), zph.df(), zphP, test(zph.globalChisq(), zph.globalDf())),
                adjust == null ? null : adjust.rName(),
                adjust == null ? null : adjust.adjust(pValues));
    }

    private static CoxRegressionResult.Test test(double chisq, int df) {
        return new CoxRegressionResult.Test(chisq, df, chiSquaredUpper(chisq, df));
    }

    private static double chiSquaredUpper(double chisq, int df) {
        return chisq >= 0 ? Gamma.regularizedGammaQ(df / 2.0, chisq / 2) : Double.NaN;
    }

    private static double normalUpper(double z) {
        return 0.5 * Erf.erfc(z / Math.sqrt(2));
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private static double[] solve(double[][] information, double[] score, List<String> names) {
        LUDecomposition lu = new LUDecomposition(new Array2DRowRealMatrix(information, false));
        if (!lu.getSolver().isNonSingular()) {
            throw singular(names);
        }
        return lu.getSolver().solve(new ArrayRealVector(score, false)).toArray();
    }

    private static RealMatrix inverse(double[][] information, List<String> names) {
        LUDecomposition lu = new LUDecomposition(new Array2DRowRealMatrix(information, false));
        if (!lu.getSolver().isNonSingular()) {
            throw singular(names);
        }
        return lu.getSolver().getInverse();
    }

    private static double quadratic(double[][] m, double[] u, List<String> names) {
        double[] x = solve(m, u, names);
        double out = 0;
        for (int i = 0; i < u.length; i++) {
            out += u[i] * x[i];
        }
        return out;
    }

    private static Problem singular(List<String> names) {
        return Problem.badRequest("The covariates of " + NAME + " (" + String.join(", ", names) + ") are collinear in "
                + "the rows at risk (or a covariate does not vary where events happen); leave one out");
    }
}
