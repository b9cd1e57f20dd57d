package org.mipfed.algorithms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.special.Gamma;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.GlmStepQuery;
import org.mipfed.proto.v1.GlmStepResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/** {@code glm_step} for the in-memory node: R's glm.fit arithmetic row by row, in plain Java. */
final class InMemoryGlm {
    private static final double EPS = Math.ulp(1.0);
    private static final NormalDistribution NORMAL = new NormalDistribution(null, 0, 1);

    private InMemoryGlm() {}

    static PrimitiveResult compute(InMemoryNode node, PrimitiveQuery query) {
        GlmStepQuery step = query.getGlmStep();
        List<String> used = new ArrayList<>(step.getCompleteInList());
        step.getColumnsList().forEach(c -> used.add(c.getVariable()));
        used.add(step.getResponse().getVariable());
        String family = step.getFamily();
        String link = step.getLink();
        int p = step.getColumnsCount() + (step.getIntercept() ? 1 : 0);
        double[] info = new double[p * p];
        double[] score = new double[p];
        double[] working = new double[p];
        long n = 0;
        long invalid = 0;
        long boundary = 0;
        double ll = 0;
        double dev = 0;
        double sumY = 0;
        for (Map<String, Object> row : rows(node, query)) {
            if (!used.stream().allMatch(v -> row.get(v) != null)) {
                continue;
            }
            n++;
            double[] x = new double[p];
            int offset = step.getIntercept() ? 1 : 0;
            if (step.getIntercept()) {
                x[0] = 1;
            }
            for (int i = offset; i < p; i++) {
                x[i] = value(step.getColumns(i - offset), row);
            }
            double y = value(step.getResponse(), row);
            sumY += y;
            double eta = 0;
            if (step.getBetaCount() > 0) {
                for (int i = 0; i < p; i++) {
                    eta += step.getBeta(i) * x[i];
                }
            } else if (family.equals("binomial")) {
                eta = y == 1 ? step.getStartEta1() : step.getStartEta0();
            } else {
                double m = family.equals("poisson") ? y + 0.1 : y;
                eta = switch (link) {
                    case "log" -> m > 0 ? Math.log(m) : Double.NaN;
                    case "sqrt" -> Math.sqrt(m);
                    case "inverse" -> m != 0 ? 1 / m : Double.NaN;
                    default -> m;
                };
            }
            double[] mean = mean(link, eta);
            double mu = mean[0];
            double cmu = mean[1];
            double me = mean[2];
            boolean ok = !Double.isNaN(mu)
                    && switch (family) {
                        case "binomial" -> mu > 0 && mu < 1 && cmu > 0;
                        case "poisson" -> mu > 0;
                        default -> true;
                    };
            if (!ok) {
                invalid++;
                continue;
            }
            double v = family.equals("binomial") ? mu * cmu : family.equals("poisson") ? mu : 1;
            double resid = family.equals("binomial") ? (y == 1 ? cmu : -mu) : y - mu;
            double w = me * me / v;
            double r = resid * me / v;
            for (int i = 0; i < p; i++) {
                score[i] += r * x[i];
                working[i] += (w * eta + r) * x[i];
                for (int j = 0; j < p; j++) {
                    info[i * p + j] += w * x[i] * x[j];
                }
            }
            switch (family) {
                case "binomial" -> {
                    double l = y == 1 ? Math.log(mu) : Math.log(cmu);
                    ll += l;
                    dev -= 2 * l;
                    boundary += mu < 10 * EPS || cmu < 10 * EPS ? 1 : 0;
                }
                case "poisson" -> {
                    ll += y * Math.log(mu) - mu - Gamma.logGamma(y + 1);
                    dev += 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));
                    boundary += mu < 10 * EPS ? 1 : 0;
                }
                default -> dev += (y - mu) * (y - mu);
            }
        }
        GlmStepResult.Builder out = GlmStepResult.newBuilder().setN(n);
        if (n > 0) {
            out.setInvalid(invalid)
                    .setBoundary(boundary)
                    .setLogLikelihood(ll)
                    .setDeviance(dev)
                    .setSumY(sumY);
            for (double value : info) {
                out.addInformation(value);
            }
            for (int i = 0; i < p; i++) {
                out.addScore(score[i]).addWorking(working[i]);
            }
        }
        return PrimitiveResult.newBuilder().setRowsUsed(n).setGlmStep(out).build();
    }

    private static List<Map<String, Object>> rows(InMemoryNode node, PrimitiveQuery query) {
        return node.rows(query);
    }

    /** μ, 1 − μ and dμ/dη as R's link objects compute them (NaN μ outside the link's domain). */
    private static double[] mean(String link, double eta) {
        switch (link) {
            case "logit" -> {
                double t = eta < -30 ? EPS : eta > 30 ? 1 / EPS : Math.exp(eta);
                return new double[] {t / (1 + t), 1 / (1 + t), eta < -30 || eta > 30 ? EPS : t / ((1 + t) * (1 + t))};
            }
            case "probit" -> {
                double thresh = -NORMAL.inverseCumulativeProbability(EPS);
                double a = Math.min(Math.max(eta, -thresh), thresh);
                return new double[] {
                    NORMAL.cumulativeProbability(a),
                    NORMAL.cumulativeProbability(-a),
                    Math.max(NORMAL.density(eta), EPS)
                };
            }
            case "cauchit" -> {
                return new double[] {
                    0.5 + Math.atan(eta) / Math.PI,
                    0.5 - Math.atan(eta) / Math.PI,
                    Math.max(1 / (Math.PI * (1 + eta * eta)), EPS)
                };
            }
            case "cloglog" -> {
                double mu = Math.max(Math.min(-Math.expm1(-Math.exp(eta)), 1 - EPS), EPS);
                double cmu = Math.max(Math.min(Math.exp(-Math.exp(eta)), 1 - EPS), EPS);
                return new double[] {mu, cmu, Math.max(Math.exp(eta) * Math.exp(-Math.exp(eta)), EPS)};
            }
            case "log" -> {
                double mu = Math.max(Math.exp(eta), EPS);
                return new double[] {mu, 1 - mu, mu};
            }
            case "identity" -> {
                return new double[] {eta, 1 - eta, 1};
            }
            case "sqrt" -> {
                return new double[] {eta > 0 ? eta * eta : Double.NaN, Double.NaN, 2 * eta};
            }
            case "inverse" -> {
                return new double[] {eta != 0 && !Double.isNaN(eta) ? 1 / eta : Double.NaN, Double.NaN, -1 / (eta * eta)
                };
            }
            default -> throw new IllegalArgumentException(link);
        }
    }

    private static double value(GlmColumn column, Map<String, Object> row) {
        Object value = row.get(column.getVariable());
        return column.getLevel().isEmpty()
                ? ((Number) value).doubleValue()
                : column.getLevel().equals(value.toString()) ? 1 : 0;
    }
}
