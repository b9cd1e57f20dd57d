package org.mipfed.algorithms;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.model.SqlType;

/**
 * The dementia test data of mipfed-data (Exareme2's), parsed into rows: numerical values as Double,
 * nominal and text values as String, missing values as null. Loaded once per JVM.
 */
public final class TestData {
    private static final String DEMENTIA = "/org/mipfed/data/dementia_v_0_1/";
    private static volatile DataModel dementiaModel;
    private static volatile Map<String, List<Map<String, Object>>> dementiaRows;
    private static final String LONGITUDINAL = "/org/mipfed/data/longitudinal_dementia_v_0_1/";
    private static volatile DataModel longitudinalModel;
    private static volatile Map<String, List<Map<String, Object>>> longitudinalRows;

    private TestData() {}

    public static DataModel dementiaModel() {
        if (dementiaModel == null) {
            dementiaModel = DataModel.parse(resource(DEMENTIA + "CDEsMetadata.json"));
        }
        return dementiaModel;
    }

    /** Rows by dataset code, datasets sorted by code. */
    public static synchronized Map<String, List<Map<String, Object>>> dementiaRows() {
        if (dementiaRows == null) {
            Map<String, List<Map<String, Object>>> rows = new TreeMap<>();
            for (String file : resource(DEMENTIA + "FILES").trim().split("\\s+")) {
                if (file.endsWith(".csv")) {
                    for (Map<String, Object> row : parseCsv(dementiaModel(), resource(DEMENTIA + file))) {
                        rows.computeIfAbsent((String) row.get(DataModel.DATASET), k -> new ArrayList<>())
                                .add(row);
                    }
                }
            }
            dementiaRows = rows;
        }
        return dementiaRows;
    }

    /** The longitudinal dementia data's model (visits of subjects), for the algorithms that use its rows as such. */
    public static DataModel longitudinalModel() {
        if (longitudinalModel == null) {
            longitudinalModel = DataModel.parse(resource(LONGITUDINAL + "CDEsMetadata.json"));
        }
        return longitudinalModel;
    }

    /** The longitudinal dementia rows by dataset code, datasets sorted by code. */
    public static synchronized Map<String, List<Map<String, Object>>> longitudinalRows() {
        if (longitudinalRows == null) {
            Map<String, List<Map<String, Object>>> rows = new TreeMap<>();
            for (String file : resource(LONGITUDINAL + "FILES").trim().split("\\s+")) {
                if (file.endsWith(".csv")) {
                    for (Map<String, Object> row : parseCsv(longitudinalModel(), resource(LONGITUDINAL + file))) {
                        rows.computeIfAbsent((String) row.get(DataModel.DATASET), k -> new ArrayList<>())
                                .add(row);
                    }
                }
            }
            longitudinalRows = rows;
        }
        return longitudinalRows;
    }

    /** Parses CSV text (no quoting: the test data has none) against a data model; unknown columns are dropped. */
    public static List<Map<String, Object>> parseCsv(DataModel model, String csv) {
        String[] lines = csv.split("\r?\n");
        String[] header = lines[0].split(",", -1);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] cells = lines[i].split(",", -1);
            if (cells.length != header.length) {
                throw new IllegalArgumentException("line " + (i + 1) + " has " + cells.length + " cells, the header "
                        + header.length + ": " + Arrays.toString(cells));
            }
            Map<String, Object> row = new HashMap<>();
            for (int c = 0; c < header.length; c++) {
                Cde cde = model.cde(header[c]);
                if (cde != null) {
                    row.put(header[c], value(cde, cells[c]));
                }
            }
            rows.add(row);
        }
        return rows;
    }

    private static Object value(Cde cde, String cell) {
        if (cell.isEmpty()) {
            return null;
        }
        if (cde.categorical() || cde.sqlType() == SqlType.TEXT) {
            return cell;
        }
        return Double.parseDouble(cell);
    }

    public static String resource(String name) {
        try (InputStream in = TestData.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the test class path (mipfed-data)");
            }
            StringBuilder text = new StringBuilder();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                char[] buffer = new char[1 << 16];
                for (int read; (read = reader.read(buffer)) > 0; ) {
                    text.append(buffer, 0, read);
                }
            }
            return text.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
