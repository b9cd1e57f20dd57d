package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.mipfed.proto.v1.CoxBin;
import org.mipfed.proto.v1.CoxStepQuery;
import org.mipfed.proto.v1.CoxStepResult;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * {@code cox_step} on the dementia data (time = age, event = an Alzheimer's diagnosis), checked against each bin's
 * counts and weighted sums computed here from the CSV rows, the same on every store; and its refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractCoxStepTest extends DementiaStoreTest {
    private static final String TIME = "subjectageyears";
    private static final String EVENT = "alzheimerbroadcategory";

    @Test
    void sumsPerBinEqualThoseOfTheRowsWithTimesMovedUpToTheBinEnd() {
        double[] beta = {-0.4, 0.3};
        double offset = -0.7;
        List<GlmColumn> columns = List.of(column("lefthippocampus", ""), column("gender", "M"));
        CoxStepResult result =
                open.execute(query(DATASETS, columns, beta, offset, 5, ""), "t").getCoxStep();
        List<Map<String, String>> selected =
                rows.select(DATASETS, r -> DementiaRows.complete(r, List.of(TIME, EVENT, "lefthippocampus", "gender")));
        assertThat(result.getN()).isEqualTo(selected.size());
        assertBins(result, expected(selected, columns, beta, offset, 5, ""));
    }

    @Test
    void strataHaveBinsOfTheirOwnAndTheFirstStepIsAtBetaZero() {
        List<GlmColumn> columns = List.of(column("leftamygdala", ""), column("lefthippocampus", ""));
        CoxStepResult result = open.execute(query(DATASETS, columns, new double[0], 0, 2.5, "gender"), "t")
                .getCoxStep();
        List<Map<String, String>> selected = rows.select(
                DATASETS,
                r -> DementiaRows.complete(r, List.of(TIME, EVENT, "leftamygdala", "lefthippocampus", "gender")));
        assertThat(result.getN()).isEqualTo(selected.size());
        assertThat(result.getBinsList()).extracting(CoxBin::getStratum).containsOnly("M", "F");
        assertBins(result, expected(selected, columns, new double[2], 0, 2.5, "gender"));
        // At β = 0 every weight is 1: Σ w over a bin is its rows.
        assertThat(result.getBinsList())
                .allSatisfy(b -> assertThat(b.getW()).isEqualTo(b.getEvents() + b.getCensored()));
    }

    @Test
    void aBinWithFewEventsOrCensoredRowsIsRefusedWithoutNamingTheBin() {
        List<GlmColumn> columns = List.of(column("lefthippocampus", ""));
        assertThatThrownBy(() -> guarded.execute(query(DATASETS, columns, new double[] {0.1}, 0, 1, ""), "t"))
                .isInstanceOfSatisfying(RefusalException.class, refusal -> {
                    assertThat(refusal.rule()).isEqualTo("min_rows");
                    assertThat(refusal.callerError()).isTrue();
                    assertThat(refusal.getMessage()).doesNotContain("bin (").contains("Choose a wider bin_width");
                });
        // The oldest rows: with bins of 20 years the last bins (and so the last risk sets) hold few rows.
        assertThatThrownBy(() -> guarded.execute(query(DATASETS, columns, new double[] {0.1}, 0, 20, ""), "t"))
                .isInstanceOfSatisfying(
                        RefusalException.class,
                        refusal -> assertThat(refusal.rule()).isEqualTo("min_rows"));
        // One bin holding everyone is answered.
        CoxStepResult wide = guarded.execute(query(DATASETS, columns, new double[] {0.1}, 0, 1000, ""), "t")
                .getCoxStep();
        assertThat(wide.getBinsList())
                .singleElement()
                .satisfies(b -> assertThat(b.getBin()).isEqualTo(1));
    }

    @Test
    void wrongRequestsAreRefusedAsTheCallersMistake() {
        List<GlmColumn> columns = List.of(column("lefthippocampus", ""));
        assertRefusal(query(DATASETS, columns, new double[0], 0, 0, ""), "invalid_query", "bin width");
        assertRefusal(query(DATASETS, List.of(), new double[0], 0, 1, ""), "invalid_query", "covariate columns");
        assertRefusal(query(DATASETS, columns, new double[2], 0, 1, ""), "invalid_query", "2 coefficients for 1");
        assertRefusal(
                query(DATASETS, columns, new double[] {Double.NaN}, 0, 1, ""), "invalid_query", "coefficient NaN");
        assertRefusal(
                query(DATASETS, List.of(column(TIME, "")), new double[0], 0, 1, ""), "invalid_query", "covariates");
        assertRefusal(query(DATASETS, columns, new double[0], 0, 1, "leftamygdala"), "variable_type", "'leftamygdala'");
        assertRefusal(query(DATASETS, List.of(column("gender", "X")), new double[0], 0, 1, ""), "unknown_level", "'X'");
        PrimitiveQuery time = PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(DATASETS)
                .setCoxStep(CoxStepQuery.newBuilder()
                        .setTime("gender")
                        .setEvent(EVENT)
                        .setEventLevel("AD")
                        .setBinWidth(1)
                        .addAllColumns(columns))
                .build();
        assertRefusal(time, "variable_type", "'gender' is nominal");
    }

    private void assertRefusal(PrimitiveQuery query, String rule, String message) {
        assertThatThrownBy(() -> open.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> {
                    assertThat(((RefusalException) e).rule()).as(e.getMessage()).isEqualTo(rule);
                    assertThat(((RefusalException) e).callerError()).isTrue();
                    assertThat(e.getMessage()).contains(message);
                });
    }

    static GlmColumn column(String variable, String level) {
        return GlmColumn.newBuilder().setVariable(variable).setLevel(level).build();
    }

    private static PrimitiveQuery query(
            List<String> datasets, List<GlmColumn> columns, double[] beta, double offset, double width, String strata) {
        CoxStepQuery.Builder cox = CoxStepQuery.newBuilder()
                .setTime(TIME)
                .setEvent(EVENT)
                .setEventLevel("AD")
                .setBinWidth(width)
                .addAllColumns(columns)
                .setOffset(offset)
                .setStrata(strata);
        for (double b : beta) {
            cox.addBeta(b);
        }
        return PrimitiveQuery.newBuilder()
                .setDataModel("dementia:0.1")
                .addAllDatasets(datasets)
                .setCoxStep(cox)
                .build();
    }

    /** The sums the plain way, per stratum and bin: counts, then Σ w, Σ w x, Σ w x xᵀ over rows and events, Σ x over events. */
    private static Map<String, double[]> expected(
            List<Map<String, String>> rows,
            List<GlmColumn> columns,
            double[] beta,
            double offset,
            double width,
            String strata) {
        int p = columns.size();
        int t = p * (p + 1) / 2;
        Map<String, double[]> out = new TreeMap<>();
        for (Map<String, String> row : rows) {
            long bin = (long) Math.ceil(Double.parseDouble(row.get(TIME)) / width);
            boolean event = "AD".equals(row.get(EVENT));
            String key = (strata.isEmpty() ? "" : row.get(strata)) + "/" + bin;
            double[] s = out.computeIfAbsent(key, k -> new double[2 + 2 * (1 + p + t) + p]);
            double[] x = new double[p];
            double eta = -offset;
            for (int j = 0; j < p; j++) {
                GlmColumn c = columns.get(j);
                x[j] = c.getLevel().isEmpty()
                        ? Double.parseDouble(row.get(c.getVariable()))
                        : c.getLevel().equals(row.get(c.getVariable())) ? 1 : 0;
                eta += beta[j] * x[j];
            }
            double w = Math.exp(eta);
            s[event ? 0 : 1]++;
            add(s, 2, w, x);
            if (event) {
                add(s, 3 + p + t, w, x);
                for (int j = 0; j < p; j++) {
                    s[4 + 2 * (p + t) + j] += x[j];
                }
            }
        }
        return out;
    }

    private static void add(double[] s, int at, double w, double[] x) {
        int k = at;
        s[k++] += w;
        for (double v : x) {
            s[k++] += w * v;
        }
        for (int i = 0; i < x.length; i++) {
            for (int j = i; j < x.length; j++) {
                s[k++] += w * x[i] * x[j];
            }
        }
    }

    private static void assertBins(CoxStepResult result, Map<String, double[]> expected) {
        Map<String, double[]> actual = new LinkedHashMap<>();
        for (CoxBin bin : result.getBinsList()) {
            List<Double> s = new ArrayList<>();
            s.add((double) bin.getEvents());
            s.add((double) bin.getCensored());
            s.add(bin.getW());
            s.addAll(bin.getWxList());
            s.addAll(bin.getWxxList());
            s.add(bin.getEventW());
            s.addAll(bin.getEventWxList());
            s.addAll(bin.getEventWxxList());
            s.addAll(bin.getEventXList());
            actual.put(
                    bin.getStratum() + "/" + bin.getBin(),
                    s.stream().mapToDouble(Double::doubleValue).toArray());
        }
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((key, sums) -> {
            double[] got = actual.get(key);
            assertThat(got).as(key).hasSameSizeAs(sums);
            for (int i = 0; i < sums.length; i++) {
                assertThat(got[i])
                        .as(key + " sum " + i)
                        .isCloseTo(sums[i], org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(sums[i]))));
            }
        });
    }
}
