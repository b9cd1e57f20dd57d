package org.mipfed.algorithms.descriptive;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.AlgorithmResult;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.JsonTree;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.ResultJson;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.DescribeQuery;
import org.mipfed.proto.v1.DescribeResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.VariableSummary;

/**
 * Exareme2's {@code descriptive_stats}: for every variable of x and y (except {@code dataset}), one
 * record per requested dataset and one for "all datasets", twice: "variable based" over every row of
 * the dataset, and "model based" over the rows complete in all the variables.
 *
 * <p>A dataset's record has null data when its node suppressed it (too few rows) or when no node
 * answered for it; "all datasets" combines the others exactly, except quartiles, which cannot be
 * combined from per-dataset summaries and are null, as in Exareme2.
 */
public final class DescriptiveStats extends SpecifiedAlgorithm {
    public static final String NAME = "descriptive_stats";
    /** The dataset name of the combined records. */
    public static final String ALL_DATASETS = "all datasets";

    public DescriptiveStats() {
        super(NAME);
    }

    @Override
    public AlgorithmResult run(AnalysisInput input, FederationContext federation) {
        return new JsonTree(runJson(input, federation));
    }

    private ObjectNode runJson(AnalysisInput input, FederationContext federation) {
        DataModel model = input.dataModel();
        // `dataset` groups the records, so it is not described itself (as in Exareme2).
        LinkedHashSet<String> unique = new LinkedHashSet<>(input.x());
        unique.addAll(input.y());
        unique.remove(DataModel.DATASET);
        List<String> variables = new ArrayList<>(unique);
        List<String> numerical = new ArrayList<>();
        List<String> nominal = new ArrayList<>();
        for (String variable : variables) {
            Cde cde = model.cde(variable);
            if (cde == null) {
                throw Problem.badRequest("The variable '" + variable + "' is not in the data model " + model.id());
            }
            (cde.categorical() ? nominal : numerical).add(variable);
        }
        ObjectNode result = ResultJson.object();
        ArrayNode variableBased = result.putArray("variable_based");
        ArrayNode modelBased = result.putArray("model_based");
        if (variables.isEmpty()) {
            return result;
        }
        Map<String, VariableSummary> byVariable = new HashMap<>();
        Map<String, VariableSummary> byModel = new HashMap<>();
        List<NodeAnswer> answers = federation.compute(PrimitiveQuery.newBuilder()
                .setDescribe(DescribeQuery.newBuilder().addAllNumerical(numerical).addAllNominal(nominal)));
        long rows = 0;
        for (NodeAnswer answer : answers) {
            rows += answer.result().getRowsUsed();
            DescribeResult describe = answer.result().getDescribe();
            collect(answer.node(), describe.getVariableBasedList(), byVariable);
            collect(answer.node(), describe.getModelBasedList(), byModel);
        }
        for (String variable : variables) {
            Cde cde = model.cde(variable);
            records(variable, cde, input.datasets(), byVariable, variableBased);
            records(variable, cde, input.datasets(), byModel, modelBased);
        }
        // Not in Exareme2's shape: the selected rows described, as every mipfed result says.
        result.put("n_obs", rows);
        return result;
    }

    private static void collect(String node, List<VariableSummary> summaries, Map<String, VariableSummary> into) {
        for (VariableSummary summary : summaries) {
            if (into.putIfAbsent(key(summary.getVariable(), summary.getDataset()), summary) != null) {
                // Datasets are spread over nodes without overlap; two answers would be counted twice.
                throw new Problem(502, "Inconsistent node answers", "The dataset '" + summary.getDataset()
                        + "' was described by more than one node (again by " + node + "); each dataset must live on one node only");
            }
        }
    }

    private static void records(String variable, Cde cde, List<String> datasets, Map<String, VariableSummary> summaries, ArrayNode out) {
        RecordCombiner all = new RecordCombiner(cde);
        for (String dataset : datasets) {
            VariableSummary summary = summaries.get(key(variable, dataset));
            ObjectNode record = out.addObject();
            record.put("variable", variable);
            record.put("dataset", dataset);
            if (summary == null || summary.getSuppressed()) {
                record.putNull("data");
            }
            else {
                record.set("data", RecordCombiner.datasetData(cde, summary));
                all.add(summary);
            }
        }
        ObjectNode record = out.addObject();
        record.put("variable", variable);
        record.put("dataset", ALL_DATASETS);
        if (all.isEmpty()) {
            record.putNull("data");
        }
        else {
            record.set("data", all.data());
        }
    }

    private static String key(String variable, String dataset) {
        return variable + '\u0000' + dataset;
    }
}
