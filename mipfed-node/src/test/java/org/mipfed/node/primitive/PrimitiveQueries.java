package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.DescribeQuery;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.VariableSummary;

/** Builds primitive queries and checks their answers against figures computed from the rows. */
final class PrimitiveQueries {
    private PrimitiveQueries() {}

    static PrimitiveQuery describe(List<String> datasets, Filter filter, List<String> numerical, List<String> nominal) {
        PrimitiveQuery.Builder query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(datasets)
                .setDescribe(
                        DescribeQuery.newBuilder().addAllNumerical(numerical).addAllNominal(nominal));
        if (filter != null) {
            query.setFilter(filter);
        }
        return query.build();
    }

    static PrimitiveQuery crossProducts(List<String> datasets, Filter filter, List<DesignColumn> columns) {
        PrimitiveQuery.Builder query = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(datasets)
                .setCrossProducts(CrossProductsQuery.newBuilder().addAllColumns(columns));
        if (filter != null) {
            query.setFilter(filter);
        }
        return query.build();
    }

    static DesignColumn column(String variable, String level) {
        return DesignColumn.newBuilder().setVariable(variable).setLevel(level).build();
    }

    static void close(double actual, double expected) {
        assertThat(Math.abs(actual - expected))
                .as("%s vs %s", actual, expected)
                .isLessThanOrEqualTo(1e-9 + 1e-9 * Math.abs(expected));
    }

    static void expectSummary(
            VariableSummary summary,
            String variable,
            String dataset,
            List<Map<String, String>> selected,
            boolean numerical,
            int minRows) {
        assertThat(summary.getVariable()).isEqualTo(variable);
        assertThat(summary.getDataset()).isEqualTo(dataset);
        long present = selected.stream().filter(r -> r.containsKey(variable)).count();
        // The guarded executor (minimum 10) also has the default minimum cell count: a level count under it hides the
        // summary.
        int minCells = minRows == 1 ? 1 : PrivacyPolicy.DEFAULT_MIN_CELL_COUNT;
        boolean smallCell = !numerical
                && selected.stream()
                        .filter(r -> r.containsKey(variable))
                        .collect(Collectors.groupingBy(r -> r.get(variable), Collectors.counting()))
                        .values()
                        .stream()
                        .anyMatch(c -> c < minCells);
        if (selected.size() < minRows || present < minRows || smallCell) {
            assertThat(summary)
                    .as(variable + " of " + dataset)
                    .isEqualTo(VariableSummary.newBuilder()
                            .setVariable(variable)
                            .setDataset(dataset)
                            .setSuppressed(true)
                            .build());
            return;
        }
        assertThat(summary.getSuppressed()).isFalse();
        assertThat(summary.getNumTotal()).isEqualTo(selected.size());
        assertThat(summary.getNumDtps()).isEqualTo(present);
        assertThat(summary.getNumNa()).isEqualTo(selected.size() - present);
        if (numerical) {
            double[] values = DementiaRows.values(selected, variable);
            assertThat(summary.getCountsMap()).isEmpty();
            close(summary.getNumerical().getMean(), DementiaRows.mean(values));
            close(summary.getNumerical().getM2(), DementiaRows.m2(values));
            close(summary.getNumerical().getMin(), Arrays.stream(values).min().orElseThrow());
            close(summary.getNumerical().getMax(), Arrays.stream(values).max().orElseThrow());
            close(summary.getNumerical().getQ1(), DementiaRows.quantile(values, 0.25));
            close(summary.getNumerical().getQ2(), DementiaRows.quantile(values, 0.5));
            close(summary.getNumerical().getQ3(), DementiaRows.quantile(values, 0.75));
        } else {
            Map<String, Long> counts = new TreeMap<>();
            selected.stream()
                    .map(r -> r.get(variable))
                    .filter(v -> v != null)
                    .forEach(v -> counts.merge(v, 1L, Long::sum));
            assertThat(summary.getCountsMap()).isEqualTo(counts);
            assertThat(summary.hasNumerical()).isFalse();
        }
    }
}
