package org.mipfed.algorithms.correlation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.AlgorithmResult;

/**
 * The result of {@code pearson_correlation}, in Exareme2's shape.
 *
 * @param title Exareme2's fixed title
 * @param nObs the rows complete in every variable and covariate
 * @param correlations Pearson's r of each variable with each covariate
 * @param pValues the two-sided p-values of r = 0
 * @param ciHi the upper ends of the confidence intervals (through Fisher's z)
 * @param ciLo their lower ends
 * @param pAdjust the method the p-values were adjusted by (R's p.adjust name), when the request asked
 * @param pValuesAdjusted the p-values adjusted over the distinct pairs of different variables (each pair once; null on
 *     a variable with itself), beside {@code pValues}, when the request asked
 */
public record PearsonCorrelationResult(
        String title,
        long nObs,
        Table correlations,
        Table pValues,
        Table ciHi,
        Table ciLo,
        @JsonInclude(JsonInclude.Include.NON_NULL) String pAdjust,
        @JsonInclude(JsonInclude.Include.NON_NULL) Table pValuesAdjusted)
        implements AlgorithmResult {
    public PearsonCorrelationResult {
        requireNonNull(title, "title is null");
        requireNonNull(correlations, "correlations is null");
        requireNonNull(pValues, "pValues is null");
        requireNonNull(ciHi, "ciHi is null");
        requireNonNull(ciLo, "ciLo is null");
    }

    /**
     * Exareme2's layout of one figure: {@code variables} names the covariates, then one field per variable holds its
     * figures over them, in that order. Written as that one object, since the field names are the variables'.
     *
     * @param variables the covariates
     * @param rows by variable (in request order), the figures parallel to {@code variables}
     */
    public record Table(List<String> variables, Map<String, double[]> rows) {
        public Table {
            variables = List.copyOf(variables);
            rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
        }

        @JsonValue
        Map<String, Object> written() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("variables", variables);
            out.putAll(rows);
            return out;
        }
    }
}
