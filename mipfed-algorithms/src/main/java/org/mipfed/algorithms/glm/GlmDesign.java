package org.mipfed.algorithms.glm;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.support.NominalLevels;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.GlmColumn;

/**
 * Builds a {@link GlmModel}'s design as statsmodels/patsy (and Exareme2) do: each nominal covariate
 * dummy-coded over the levels present in the rows complete in x and y on all nodes, in code point
 * order, the first level dropped as the reference; dummies first (in x order), then numerical
 * covariates (in x order). A nominal covariate with a single level present yields no column.
 */
final class GlmDesign {
    private GlmDesign() {}

    static GlmModel build(
            FederationContext federation,
            String algorithm,
            List<String> x,
            GlmColumn response,
            Family family,
            Link link) {
        DataModel model = federation.dataModel();
        List<String> nominal = new ArrayList<>();
        List<String> numerical = new ArrayList<>();
        for (String variable : x) {
            Cde cde = model.cde(variable);
            if (cde == null) {
                throw Problem.badRequest("The covariate '" + variable + "' is not in the data model " + model.id());
            }
            if (variable.equals(response.getVariable())) {
                throw Problem.badRequest("'" + variable + "' is both the dependent variable (y) and a covariate (x) of "
                        + algorithm + "; remove it from x");
            }
            (cde.categorical() ? nominal : numerical).add(variable);
        }
        List<String> completeIn = new ArrayList<>();
        completeIn.add(response.getVariable());
        completeIn.addAll(x);
        List<String> names = new ArrayList<>();
        List<GlmColumn> columns = new ArrayList<>();
        if (!nominal.isEmpty()) {
            Map<String, List<String>> levels = NominalLevels.present(federation, nominal, completeIn);
            for (String variable : nominal) {
                List<String> present = levels.get(variable);
                for (String level : present.subList(Math.min(1, present.size()), present.size())) {
                    names.add(variable + "[" + level + "]");
                    columns.add(GlmColumn.newBuilder()
                            .setVariable(variable)
                            .setLevel(level)
                            .build());
                }
            }
        }
        for (String variable : numerical) {
            names.add(variable);
            columns.add(GlmColumn.newBuilder().setVariable(variable).build());
        }
        return new GlmModel(names, columns, response, family, link, completeIn);
    }
}
