package org.mipfed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.algorithms.Algorithms;
import org.mipfed.algorithms.RequestValidator;
import org.mipfed.algorithms.spi.Algorithm;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.request.AnalysisRequest;
import org.mipfed.node.audit.AuditLog;
import org.mipfed.node.importer.DataImporter;
import org.mipfed.node.importer.ProgressListener;
import org.mipfed.node.primitive.PrimitiveExecutor;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.DuckDbStore;
import org.mipfed.node.store.StoreCatalog;
import org.mipfed.node.store.StoredDataset;

class TestSyntheticData {
    @TempDir
    Path dir;

    private static double[] sumAndCount(DuckDbStore store, String table) {
        return store.withConnection(connection -> {
            try (Statement s = connection.createStatement();
                    ResultSet r =
                            s.executeQuery("SELECT sum(x1), count(x1), count(*), sum(y) FROM \"" + table + "\"")) {
                r.next();
                return new double[] {r.getDouble(1), r.getLong(2), r.getLong(3), r.getDouble(4)};
            }
        });
    }

    @Test
    void rowsGeneratedIntoAStoreEqualTheCsvOfTheSameNodeAndReachTheCatalog() throws Exception {
        DataModel model = DataModel.parse(Files.readString(SyntheticData.writeDataModel(dir, 2)));
        try (DuckDbStore generated = DuckDbStore.open(dir.resolve("generated.duckdb"));
                DuckDbStore imported = DuckDbStore.open(dir.resolve("imported.duckdb"))) {
            SyntheticData.load(generated, model, 0, 3000);
            SyntheticData.load(generated, model, 1, 2000);
            new DataImporter(imported).importCsv(model, SyntheticData.writeCsv(dir, 0, 3000), ProgressListener.NONE);
            assertThat(generated.dataModel(model.id()).orElseThrow().datasets())
                    .extracting(StoredDataset::code, StoredDataset::rows)
                    .contains(
                            org.assertj.core.groups.Tuple.tuple("site0", 3000L),
                            org.assertj.core.groups.Tuple.tuple("site1", 2000L));
            String table = StoreCatalog.dataTable(model);
            double[] fromCsv = sumAndCount(imported, table);
            SyntheticData.load(imported, model, 1, 2000);
            double[] both = sumAndCount(generated, table);
            double[] importedBoth = sumAndCount(imported, table);
            assertThat(fromCsv[2]).isEqualTo(3000);
            // About 3% of the covariates are missing.
            assertThat(fromCsv[1]).isBetween(2800.0, 2990.0);
            assertThat(importedBoth[0])
                    .isCloseTo(both[0], org.assertj.core.data.Offset.offset(1e-9 * Math.abs(both[0])));
            assertThat(importedBoth[1]).isEqualTo(both[1]);
            assertThat(importedBoth[3])
                    .isCloseTo(both[3], org.assertj.core.data.Offset.offset(1e-9 * Math.abs(both[3])));
        }
    }

    @Test
    void linearRegressionAgreesWithTheHighPrecisionReference() throws Exception {
        DataModel model = DataModel.parse(Files.readString(SyntheticData.writeDataModel(dir, 3)));
        try (DuckDbStore store = DuckDbStore.open(dir.resolve("pooled.duckdb"));
                AuditLog audit = new AuditLog(dir.resolve("audit.log"))) {
            List<String> datasets = new ArrayList<>();
            for (int n = 0; n < 3; n++) {
                SyntheticData.load(store, model, n, 20_000);
                datasets.add("site" + n);
            }
            List<String> xs = SyntheticData.covariates();
            AnalysisRequest request =
                    new AnalysisRequest(SyntheticData.MODEL, datasets, xs, List.of("y"), null, null, null);
            Algorithm ols = Algorithms.standard().find("linear_regression").orElseThrow();
            PrimitiveExecutor executor = new PrimitiveExecutor(store, PrivacyPolicy.minRowsOnly(10), audit);
            JsonNode result = ols.run(
                            RequestValidator.validate(ols, request, model),
                            new PooledFederation(model, executor, datasets, null))
                    .toJson();
            double[] reference = HighPrecisionReference.ols(store, StoreCatalog.dataTable(model), xs, "y");
            assertThat(result.path("coefficients").size()).isEqualTo(reference.length);
            for (int i = 0; i < reference.length; i++) {
                double mine = result.path("coefficients").get(i).asDouble();
                assertThat(Math.abs(mine - reference[i]) / Math.max(Math.abs(reference[i]), 1e-300))
                        .as("coefficient %d", i)
                        .isLessThan(1e-9);
            }
            // The data were made with y = 2 + 0.8 x1 - 0.3 x2 + 0.1 x6 + noise.
            assertThat(reference[1]).isCloseTo(0.8, org.assertj.core.data.Offset.offset(0.05));
            assertThat(reference[2]).isCloseTo(-0.3, org.assertj.core.data.Offset.offset(0.05));
        }
    }
}
