package org.mipfed.algorithms.regression;

import java.util.ArrayList;
import java.util.List;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;

/**
 * A linear regression's covariates split by kind, once the checks every linear regression makes of
 * them have passed.
 *
 * @param nominal the nominal covariates, dummy-coded by the design
 * @param numerical the numerical covariates
 * @param used the dependent variable and every covariate: the rows must be complete in all of them
 */
record Covariates(List<String> nominal, List<String> numerical, List<String> used) {
    static Covariates of(String algorithm, String y, List<String> x, DataModel model) {
        if (x.isEmpty()) {
            throw Problem.badRequest(algorithm + " needs at least one covariate (x)");
        }
        if (x.contains(y)) {
            throw Problem.badRequest(
                    "'" + y + "' is both the dependent variable (y) and a covariate (x); remove it from x");
        }
        List<String> nominal = new ArrayList<>();
        List<String> numerical = new ArrayList<>();
        for (String variable : x) {
            Cde cde = model.cde(variable);
            if (cde == null) {
                throw Problem.badRequest("The covariate '" + variable + "' is not in the data model " + model.id());
            }
            (cde.categorical() ? nominal : numerical).add(variable);
        }
        List<String> used = new ArrayList<>();
        used.add(y);
        used.addAll(x);
        return new Covariates(List.copyOf(nominal), List.copyOf(numerical), List.copyOf(used));
    }
}
