package org.mipfed.algorithms.descriptive;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.mipfed.algorithms.spi.AnalysisInput;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.algorithms.support.SpecifiedAlgorithm;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
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
    /** The parameter that asks for the quartiles of all datasets together (the pooled box plot). */
    public static final String POOLED_QUARTILES = "pooled_quartiles";

    private static final List<Double> QUARTILES = List.of(0.25, 0.5, 0.75);

    public DescriptiveStats() {
        super(NAME);
    }

    @Override
    public DescriptiveStatsResult run(AnalysisInput input, FederationContext federation) {
        List<Cde> variables = described(input);
        if (variables.isEmpty()) {
            return new DescriptiveStatsResult(List.of(), List.of(), null);
        }
        List<String> numerical = variables.stream()
                .filter(cde -> !cde.categorical())
                .map(Cde::code)
                .toList();
        List<String> nominal =
                variables.stream().filter(Cde::categorical).map(Cde::code).toList();
        Map<String, VariableSummary> byVariable = new HashMap<>();
        Map<String, VariableSummary> byModel = new HashMap<>();
        long rows = 0;
        for (NodeAnswer answer : federation.compute(PrimitiveQuery.newBuilder()
                .setDescribe(
                        DescribeQuery.newBuilder().addAllNumerical(numerical).addAllNominal(nominal)))) {
            rows += answer.result().getRowsUsed();
            DescribeResult describe = answer.result().getDescribe();
            collect(answer.node(), describe.getVariableBasedList(), byVariable);
            collect(answer.node(), describe.getModelBasedList(), byModel);
        }
        List<DescriptiveStatsResult.DatasetRecord> variableBased = new ArrayList<>();
        List<DescriptiveStatsResult.DatasetRecord> modelBased = new ArrayList<>();
        for (Cde cde : variables) {
            variableBased.addAll(records(cde, input.datasets(), byVariable));
            modelBased.addAll(records(cde, input.datasets(), byModel));
        }
        if (input.parameters().path(POOLED_QUARTILES).asBoolean(false)) {
            variableBased = withPooledQuartiles(federation, variableBased, input.filter() != null);
        }
        return new DescriptiveStatsResult(variableBased, modelBased, rows);
    }

    /**
     * The "all datasets" records of numerical variables with the quartiles of the pooled rows, found by bisection on
     * counts ({@link Quantiles}, R's type 7); a record whose pooled count is not the rows the quartiles were found over
     * (a dataset withheld by its node) keeps none.
     */
    private static List<DescriptiveStatsResult.DatasetRecord> withPooledQuartiles(
            FederationContext federation, List<DescriptiveStatsResult.DatasetRecord> records, boolean filtered) {
        List<DescriptiveStatsResult.DatasetRecord> out = new ArrayList<>();
        for (DescriptiveStatsResult.DatasetRecord record : records) {
            if (record.dataset().equals(ALL_DATASETS)
                    && record.data() instanceof DescriptiveStatsResult.Numerical all
                    && all.numDtps() > 0) {
                QuantilesResult.VariableQuantiles pooled =
                        Quantiles.of(federation, record.variable(), QUARTILES, 7, filtered);
                if (pooled.n() == all.numDtps()) {
                    List<QuantilesResult.Quantile> q = pooled.quantiles();
                    record = new DescriptiveStatsResult.DatasetRecord(
                            record.variable(),
                            record.dataset(),
                            new DescriptiveStatsResult.Numerical(
                                    all.numDtps(),
                                    all.numNa(),
                                    all.numTotal(),
                                    all.mean(),
                                    all.std(),
                                    all.min(),
                                    q.get(0).value(),
                                    q.get(1).value(),
                                    q.get(2).value(),
                                    all.max()));
                }
            }
            out.add(record);
        }
        return out;
    }

    /** The variables of x and y, once each and in order, except {@code dataset}: it groups the records (as in Exareme2). */
    private static List<Cde> described(AnalysisInput input) {
        DataModel model = input.dataModel();
        LinkedHashSet<String> unique = new LinkedHashSet<>(input.x());
        unique.addAll(input.y());
        unique.remove(DataModel.DATASET);
        List<Cde> variables = new ArrayList<>();
        for (String variable : unique) {
            Cde cde = model.cde(variable);
            if (cde == null) {
                throw Problem.badRequest("The variable '" + variable + "' is not in the data model " + model.id());
            }
            variables.add(cde);
        }
        return variables;
    }

    private static void collect(String node, List<VariableSummary> summaries, Map<String, VariableSummary> into) {
        for (VariableSummary summary : summaries) {
            if (into.putIfAbsent(key(summary.getVariable(), summary.getDataset()), summary) != null) {
                // Datasets are spread over nodes without overlap; two answers would be counted twice.
                throw new Problem(
                        ProblemType.INCONSISTENT_NODE_ANSWER,
                        "The dataset '" + summary.getDataset() + "' was described by more than one node (again by "
                                + node + "); each dataset must live on one node only");
            }
        }
    }

    /** One record per dataset, then the one of all of them together. */
    private static List<DescriptiveStatsResult.DatasetRecord> records(
            Cde cde, List<String> datasets, Map<String, VariableSummary> summaries) {
        List<DescriptiveStatsResult.DatasetRecord> out = new ArrayList<>();
        RecordCombiner all = new RecordCombiner(cde);
        for (String dataset : datasets) {
            VariableSummary summary = summaries.get(key(cde.code(), dataset));
            DescriptiveStatsResult.Data data = null;
            if (summary != null && !summary.getSuppressed()) {
                data = RecordCombiner.datasetData(cde, summary);
                all.add(summary);
            }
            out.add(new DescriptiveStatsResult.DatasetRecord(cde.code(), dataset, data));
        }
        out.add(new DescriptiveStatsResult.DatasetRecord(cde.code(), ALL_DATASETS, all.isEmpty() ? null : all.data()));
        return out;
    }

    private static String key(String variable, String dataset) {
        return variable + '\u0000' + dataset;
    }
}
