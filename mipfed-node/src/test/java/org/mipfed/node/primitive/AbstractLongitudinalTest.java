package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mipfed.node.primitive.FilterTrees.rule;
import static org.mipfed.node.primitive.PrimitiveQueries.close;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.privacy.PrivacyRefusals;
import org.mipfed.node.store.StoreKind;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.CrossProductsQuery;
import org.mipfed.proto.v1.CrossProductsResult;
import org.mipfed.proto.v1.DesignColumn;
import org.mipfed.proto.v1.Filter;
import org.mipfed.proto.v1.LongitudinalTransform;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * The longitudinal transformation on the node, over Exareme2's longitudinal dementia data: each
 * subject's rows of two visits paired in SQL, the primitive computed over the pairs, checked against
 * pairs made here from the CSV rows; and the transformations the node refuses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractLongitudinalTest {
    private static final String DATA = "/org/mipfed/data/longitudinal_dementia_v_0_1/";
    private static final List<String> DATASETS =
            List.of("longitudinal_dementia0", "longitudinal_dementia1", "longitudinal_dementia2");

    private TestStore testStore;
    private AuditLog audit;
    private PrimitiveExecutor executor;
    private final List<Map<String, String>> rows = new ArrayList<>();

    abstract StoreKind kind();

    @BeforeAll
    void importLongitudinal(@TempDir Path directory) throws IOException {
        testStore = TestStore.open(kind(), directory);
        DataModel model = DataModel.parse(resource("CDEsMetadata.json"));
        DataImporter importer = new DataImporter(testStore.store());
        for (String dataset : DATASETS) {
            String csv = resource(dataset + ".csv");
            Path file = directory.resolve(dataset + ".csv");
            Files.writeString(file, csv);
            importer.importCsv(model, file, ProgressListener.NONE);
            String[] lines = csv.split("\r?\n");
            String[] header = lines[0].split(",", -1);
            for (int i = 1; i < lines.length; i++) {
                String[] cells = lines[i].split(",", -1);
                Map<String, String> row = new HashMap<>();
                for (int c = 0; c < header.length; c++) {
                    if (!cells[c].isEmpty()) {
                        row.put(header[c], cells[c]);
                    }
                }
                rows.add(row);
            }
        }
        audit = new AuditLog(directory.resolve("audit.log"));
        executor = new PrimitiveExecutor(testStore.store(), PrivacyPolicy.DEFAULT.withRefusalBudget(0), audit);
    }

    @AfterAll
    void closeStore() {
        audit.close();
        testStore.close();
        // Every refusal these tests produced says nothing about the rows (issue 13): no count below the minimum.
        PrivacyPolicy policy = executor.guard().policy();
        assertThat(PrivacyRefusals.auditedCountsBelow(
                        audit.file(),
                        policy.minRows(),
                        PrivacyRefusals.policyValues(policy),
                        PrimitiveExecutor.REQUEST_ONLY))
                .as("refusals stating a count below min_rows")
                .isEmpty();
    }

    @Test
    void crossProductsRunOverEachSubjectsPairedVisits() {
        LongitudinalTransform transform = LongitudinalTransform.newBuilder()
                .setVisit1("BL")
                .setVisit2("FL1")
                .putStrategies("lefthippocampus", "diff")
                .putStrategies("leftamygdala", "first")
                .putStrategies("rightamygdala", "second")
                .putStrategies("gender", "first")
                .build();
        Filter filter = rule("leftamygdala", "greater", 0.75);
        CrossProductsResult result = executor.execute(
                        query(
                                transform,
                                filter,
                                List.of(
                                        column("lefthippocampus", ""),
                                        column("leftamygdala", ""),
                                        column("rightamygdala", ""),
                                        column("gender", "M"))),
                        "t")
                .getCrossProducts();
        List<double[]> pairs = new ArrayList<>();
        for (Map<String, String> first : rows) {
            for (Map<String, String> second : rows) {
                if ("BL".equals(first.get("visitid"))
                        && "FL1".equals(second.get("visitid"))
                        && first.get("subjectid").equals(second.get("subjectid"))
                        && first.get("dataset").equals(second.get("dataset"))
                        && Double.parseDouble(first.get("leftamygdala")) > 0.75) {
                    pairs.add(new double[] {
                        Double.parseDouble(second.get("lefthippocampus"))
                                - Double.parseDouble(first.get("lefthippocampus")),
                        Double.parseDouble(first.get("leftamygdala")),
                        Double.parseDouble(second.get("rightamygdala")),
                        "M".equals(first.get("gender")) ? 1 : 0
                    });
                }
            }
        }
        assertThat(pairs).hasSizeGreaterThan(20);
        assertThat(result.getN()).isEqualTo(pairs.size());
        for (int c = 0; c < 4; c++) {
            int column = c;
            double mean = pairs.stream().mapToDouble(p -> p[column]).sum() / pairs.size();
            close(result.getMeans(c), mean);
            double m2 = pairs.stream()
                    .mapToDouble(p -> (p[column] - mean) * (p[column] - mean))
                    .sum();
            close(result.getComoments(c * 4 + c), m2);
        }
    }

    @Test
    void wrongTransformationsAreRefusedAsTheCallersMistake() {
        LongitudinalTransform.Builder good = LongitudinalTransform.newBuilder()
                .setVisit1("BL")
                .setVisit2("FL1")
                .putStrategies("lefthippocampus", "diff");
        List<DesignColumn> columns = List.of(column("lefthippocampus", ""));
        refused(
                query(good.clone().setVisit2("FL9").build(), null, columns),
                "unknown_level",
                "'FL9' is not a level of 'visitid'");
        refused(query(good.clone().setVisit2("BL").build(), null, columns), "invalid_query", "two different visits");
        refused(
                query(good.clone().putStrategies("gender", "diff").build(), null, columns),
                "variable_type",
                "nominal variable 'gender'");
        refused(
                query(good.clone().putStrategies("leftamygdala", "mean").build(), null, columns),
                "invalid_query",
                "not 'mean'");
        refused(
                query(good.build(), null, List.of(column("leftamygdala", ""))),
                "invalid_query",
                "'leftamygdala' has no strategy");
        refused(query(good.build(), rule("gender", "equal", "F"), columns), "invalid_filter", "gender");
    }

    private void refused(PrimitiveQuery query, String rule, String message) {
        assertThatThrownBy(() -> executor.execute(query, "t"))
                .isInstanceOf(RefusalException.class)
                .satisfies(e -> {
                    assertThat(((RefusalException) e).rule()).as(e.getMessage()).isEqualTo(rule);
                    assertThat(((RefusalException) e).callerError()).isTrue();
                    assertThat(e.getMessage()).contains(message);
                });
    }

    private static PrimitiveQuery query(LongitudinalTransform transform, Filter filter, List<DesignColumn> columns) {
        PrimitiveQuery.Builder query = PrimitiveQuery.newBuilder()
                .setDataModel("longitudinal_dementia:0.1")
                .addAllDatasets(DATASETS)
                .setLongitudinal(transform)
                .setCrossProducts(CrossProductsQuery.newBuilder().addAllColumns(columns));
        if (filter != null) {
            query.setFilter(filter);
        }
        return query.build();
    }

    private static DesignColumn column(String variable, String level) {
        return DesignColumn.newBuilder().setVariable(variable).setLevel(level).build();
    }

    private static String resource(String name) {
        try (InputStream in = AbstractLongitudinalTest.class.getResourceAsStream(DATA + name)) {
            if (in == null) {
                throw new IllegalArgumentException("No test resource " + DATA + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
