package org.mipfed.algorithms.glm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mipfed.algorithms.numerics.Distributions;
import org.mipfed.algorithms.numerics.PAdjust;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.GlmColumn;

/**
 * {@code glm} (ours, beyond Exareme2): R's {@code glm(y ~ x, family = family(link))} with an intercept,
 * for the gaussian, binomial and poisson families and the links R accepts for each, with the figures
 * of R's {@code summary.glm}: coefficients, standard errors, z values (t values for gaussian, whose
 * dispersion is estimated), p-values, deviance and null deviance with their degrees of freedom, AIC,
 * and the dispersion; plus Wald confidence intervals (normal, or t for gaussian) and BIC.
 */
public final class GeneralizedLinearModel extends SpecifiedAlgorithm {
    public static final String NAME = "glm";
    private static final double CONFIDENCE = 0.95;

    public GeneralizedLinearModel() {
        super(NAME);
    }

    @Override
    public GeneralizedLinearModelResult run(AnalysisInput input, FederationContext federation) {
        if (input.y().size() != 1) {
            throw Problem.badRequest(NAME + " takes exactly one dependent variable (y), not "
                    + input.y().size());
        }
        String y = input.y().get(0);
        Cde cde = input.dataModel().cde(y);
        if (cde == null) {
            throw Problem.badRequest("The dependent variable '" + y + "' is not in the data model "
                    + input.dataModel().id());
        }
        Family family = Family.valueOf(
                input.parameters().path("family").asText("gaussian").toUpperCase(Locale.ROOT));
        Link link = link(input, family);
        GlmModel model = GlmDesign.build(federation, NAME, input.x(), response(input, y, cde, family), family, link);
        GlmFit fit = FisherScoring.fit(federation, model);
        return result(
                y,
                model,
                fit,
                PAdjust.of(input.parameters().path(PAdjust.PARAMETER).asText("")));
    }

    /** The {@code link} parameter, or the family's default; one the family accepts. */
    private static Link link(AnalysisInput input, Family family) {
        JsonNode linkName = input.parameters().get("link");
        Link link = linkName == null || linkName.isNull()
                ? family.defaultLink()
                : Link.valueOf(linkName.asText().toUpperCase(Locale.ROOT));
        if (!family.links().contains(link)) {
            throw Problem.badRequest("The " + family.wireName() + " family has no " + link.wireName()
                    + " link; its links are "
                    + String.join(
                            ", ", family.links().stream().map(Link::wireName).toList()));
        }
        return link;
    }

    /** The response column: y itself when numerical, 1 at {@code positive_class} when nominal (binomial only). */
    private static GlmColumn response(AnalysisInput input, String y, Cde cde, Family family) {
        String positive = input.parameters().path("positive_class").asText("");
        GlmColumn.Builder response = GlmColumn.newBuilder().setVariable(y);
        if (cde.categorical()) {
            if (family != Family.BINOMIAL) {
                throw Problem.badRequest(
                        "'" + y + "' is nominal, so it can only be modelled with the binomial family (and a "
                                + "positive_class), not " + family.wireName());
            }
            if (!cde.enumerations().containsKey(positive)) {
                throw Problem.badRequest("A nominal y needs the parameter positive_class, one of the levels of '" + y
                        + "': " + String.join(", ", cde.enumerations().keySet()));
            }
            response.setLevel(positive);
        } else if (!cde.numerical()) {
            throw Problem.badRequest(
                    "'" + y + "' is free text; " + NAME + " needs a numerical or nominal dependent variable");
        } else if (!positive.isEmpty()) {
            throw Problem.badRequest("positive_class applies to a nominal y only; '" + y
                    + "' is numerical (binomial: its values must " + "be 0 or 1)");
        }
        return response.build();
    }

    private static GeneralizedLinearModelResult result(String y, GlmModel model, GlmFit fit, PAdjust adjust) {
        int p = fit.p();
        long n = fit.n();
        long dfResidual = n - p;
        boolean t = model.family().estimatesDispersion();
        double dispersion = t ? fit.deviance() / dfResidual : 1;
        double quantile =
                t ? Distributions.studentQuantile(0.5 + CONFIDENCE / 2, dfResidual) : LogisticRegression.Z_975;
        double[] stdErr = new double[p];
        double[] statistics = new double[p];
        double[] pvalues = new double[p];
        double[] lower = new double[p];
        double[] upper = new double[p];
        for (int i = 0; i < p; i++) {
            stdErr[i] = Math.sqrt(dispersion * fit.covariance()[i * p + i]);
            statistics[i] = fit.coefficients()[i] / stdErr[i];
            pvalues[i] = t
                    ? Distributions.studentTwoSidedPValue(statistics[i], dfResidual)
                    : LogisticRegression.normalTwoSided(statistics[i]);
            lower[i] = fit.coefficients()[i] - quantile * stdErr[i];
            upper[i] = fit.coefficients()[i] + quantile * stdErr[i];
        }
        // R's logLik counts the estimated dispersion as a parameter.
        int parameters = p + (t ? 1 : 0);
        List<String> names = new ArrayList<>();
        names.add("Intercept");
        names.addAll(model.names());
        return new GeneralizedLinearModelResult(
                y,
                model.family().wireName(),
                model.link().wireName(),
                names,
                n,
                fit.coefficients(),
                stdErr,
                t ? statistics : null,
                t ? null : statistics,
                pvalues,
                lower,
                upper,
                dispersion,
                fit.deviance(),
                dfResidual,
                fit.nullDeviance(),
                n - 1,
                fit.logLikelihood(),
                -2 * fit.logLikelihood() + 2 * parameters,
                -2 * fit.logLikelihood() + Math.log(n) * parameters,
                fit.iterations(),
                adjust == null ? null : adjust.rName(),
                adjust == null ? null : adjust.adjust(pvalues));
    }
}
