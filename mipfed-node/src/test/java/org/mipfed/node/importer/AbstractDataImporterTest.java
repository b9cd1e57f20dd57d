package org.mipfed.node.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.StoreKind;
import org.mipfed.node.store.StoredDataModel;
import org.mipfed.node.store.StoredDataset;
import org.mipfed.node.store.TestStore;
import org.mipfed.proto.v1.DataModelInfo;

/** The importer's rules, the same on every kind of store. */
abstract class AbstractDataImporterTest {
    private static final String NOTHING = ". Nothing of bad.csv was imported; correct the file and import it again";
    private static final DataModel DEMENTIA = TestStore.dementia();

    @TempDir
    Path directory;

    TestStore testStore;
    DataStore store;
    DataImporter importer;

    abstract StoreKind kind();

    @BeforeEach
    void open() {
        testStore = TestStore.open(kind(), directory);
        store = testStore.store();
        importer = new DataImporter(store);
    }

    @AfterEach
    void close() {
        testStore.close();
    }

    @Test
    void importsEveryDementiaFileWithItsCounts() throws IOException {
        Map<String, Long> expected = new LinkedHashMap<>();
        long total = 0;
        for (String name : TestStore.dementiaFiles()) {
            Path csv = TestStore.dementiaCsv(name, directory);
            List<String> lines = Files.readAllLines(csv);
            int datasetColumn = List.of(lines.get(0).split(",", -1)).indexOf("dataset");
            Map<String, Long> inFile = new LinkedHashMap<>();
            for (String line : lines.subList(1, lines.size())) {
                inFile.merge(line.split(",", -1)[datasetColumn], 1L, Long::sum);
            }
            ImportResult result = importer.importCsv(DEMENTIA, csv, ProgressListener.NONE);
            assertThat(result.file()).isEqualTo(name);
            assertThat(result.dataModel()).isEqualTo("dementia:0.1");
            assertThat(result.rows()).isEqualTo(lines.size() - 1);
            assertThat(result.bytes()).isEqualTo(Files.size(csv));
            assertThat(result.rowsByDataset()).isEqualTo(inFile);
            assertThat(result.datasetTotals()).isEqualTo(inFile);
            assertThat(result.sha256()).hasSize(64);
            inFile.forEach((dataset, rows) -> expected.merge(dataset, rows, Long::sum));
            total += result.rows();
        }
        assertThat(total).isEqualTo(2488);
        assertThat(expected)
                .containsEntry("edsd0", 15L)
                .containsEntry("ppmi0", 46L)
                .containsEntry("desd-synthdata0", 34L)
                .hasSize(33);
        StoredDataModel stored = store.dataModel("dementia:0.1").orElseThrow();
        Map<String, Long> inStore = new HashMap<>();
        stored.datasets().forEach(d -> inStore.put(d.code(), d.rows()));
        assertThat(inStore).isEqualTo(expected);
        assertThat(stored.dataset("edsd0").orElseThrow())
                .extracting(StoredDataset::label, StoredDataset::source)
                .containsExactly("EDSD_0", "edsd0.csv");
        DataModelInfo hello = store.describe().get(0);
        assertThat(hello.getDatasetsList()).hasSize(33);
        assertThat(hello.getDatasetsList().stream().mapToLong(d -> d.getRows()).sum())
                .isEqualTo(2488);
        assertThat(rowCount()).isEqualTo(2488);
        assertThat(this.<String>query(
                        "SELECT count(DISTINCT \"_row_id\"), min(\"_row_id\"), max(\"_row_id\") FROM \"data_dementia_0_1\"",
                        rows -> rows.getLong(1) + " " + rows.getLong(2) + " " + rows.getLong(3)))
                .isEqualTo("2488 1 2488");
    }

    @Test
    void storesTheValuesOfTheFile() throws IOException {
        Path csv = TestStore.dementiaCsv("edsd0.csv", directory);
        importer.importCsv(DEMENTIA, csv, ProgressListener.NONE);
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(",", -1));
        double sum = 0;
        long ages = 0;
        int males = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            String amygdala = cells[header.indexOf("leftamygdala")];
            sum += amygdala.isEmpty() ? 0 : Double.parseDouble(amygdala);
            String age = cells[header.indexOf("subjectageyears")];
            ages += age.isEmpty() ? 0 : (long) Double.parseDouble(age);
            males += cells[header.indexOf("gender")].equals("M") ? 1 : 0;
        }
        double expectedSum = sum;
        assertThat(this.<Double>query(
                        "SELECT sum(\"leftamygdala\") FROM \"data_dementia_0_1\"", rows -> rows.getDouble(1)))
                .isCloseTo(expectedSum, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(this.<Long>query(
                        "SELECT sum(\"subjectageyears\") FROM \"data_dementia_0_1\"", rows -> rows.getLong(1)))
                .isEqualTo(ages);
        assertThat(this.<Long>query(
                        "SELECT count(*) FROM \"data_dementia_0_1\" WHERE \"gender\" = 'M'", rows -> rows.getLong(1)))
                .isEqualTo(males);
    }

    @Test
    void refusesUnknownColumnSuggestingTheClosest() throws IOException {
        assertRefused(
                "dataset,subjectage_years\nedsd0,70\n",
                "bad.csv line 1: the column 'subjectage_years' is not a variable of dementia:0.1; did you mean 'subjectageyears'? "
                        + "Rename or remove the column" + NOTHING,
                1,
                "subjectage_years");
        assertRefused(
                "dataset,Gender\nedsd0,M\n",
                "bad.csv line 1: the column 'Gender' is not a variable of dementia:0.1; did you mean "
                        + "'gender'? Rename or remove the column" + NOTHING,
                1,
                "Gender");
    }

    @Test
    void refusesDuplicatedEmptyAndMissingColumns() throws IOException {
        assertRefused(
                "dataset,gender,subjectageyears,gender\nedsd0,M,70,M\n",
                "bad.csv line 1: the column 'gender' appears twice (columns 2 and 4); remove one of them" + NOTHING,
                1,
                "gender");
        assertRefused(
                "dataset,,gender\nedsd0,,M\n",
                "bad.csv line 1: column 2 has no name; every column must be named after a variable of dementia:0.1"
                        + NOTHING,
                1,
                null);
        assertRefused(
                "gender,subjectageyears\nM,70\n",
                "bad.csv line 1: there is no 'dataset' column; every row must say which dataset it belongs to"
                        + NOTHING,
                1,
                "dataset");
        assertRefused(
                "",
                "bad.csv is empty; it needs a header row naming its columns (variables of dementia:0.1, 'dataset' among them)",
                1,
                null);
    }

    @Test
    void refusesMissingOrUnknownDatasets() throws IOException {
        assertRefused(
                "gender,dataset\nM,edsd0\nF,\n",
                "bad.csv line 3, column 'dataset': the dataset is empty; every row must name its " + "dataset, one of: "
                        + String.join(", ", DEMENTIA.datasets().keySet()) + NOTHING,
                3,
                "dataset");
        assertRefused(
                "dataset\nedsd0\nhospital_x\n",
                "bad.csv line 3, column 'dataset': 'hospital_x' is not a dataset of the data model "
                        + "dementia:0.1 (its datasets: "
                        + String.join(", ", DEMENTIA.datasets().keySet()) + "); add it to the enumerations of "
                        + "'dataset' in a new version of the data model, or fix the cell" + NOTHING,
                3,
                "dataset");
    }

    @Test
    void refusesCellsOfTheWrongType() throws IOException {
        StringBuilder csv = new StringBuilder("dataset,subjectageyears,leftamygdala,gender\n");
        for (int line = 2; line < 17; line++) {
            csv.append("edsd0,").append(50 + line).append(",1.5,F\n");
        }
        assertRefused(
                csv + "edsd0,1x3,1.5,F\n",
                "bad.csv line 17, column 'subjectageyears': '1x3' is not an integer (sql_type int)" + NOTHING,
                17,
                "subjectageyears");
        assertRefused(
                csv + "edsd0,70.5,1.5,F\n",
                "bad.csv line 17, column 'subjectageyears': '70.5' is not an integer (sql_type int)" + NOTHING,
                17,
                "subjectageyears");
        assertRefused(
                csv + "edsd0,70,abc,F\n",
                "bad.csv line 17, column 'leftamygdala': 'abc' is not a number (sql_type real)" + NOTHING,
                17,
                "leftamygdala");
        assertRefused(
                csv + "edsd0,70,NaN,F\n",
                "bad.csv line 17, column 'leftamygdala': 'NaN' is not a number (sql_type real)" + NOTHING,
                17,
                "leftamygdala");
        assertRefused(
                csv + "edsd0,70,1e999,F\n",
                "bad.csv line 17, column 'leftamygdala': '1e999' is not a finite number" + NOTHING,
                17,
                "leftamygdala");
        assertRefused(
                csv + "edsd0,70,1.5,X\n",
                "bad.csv line 17, column 'gender': 'X' is not one of its levels: M, F" + NOTHING,
                17,
                "gender");
        assertRefused(
                csv + "edsd0,70,1.5,m\n",
                "bad.csv line 17, column 'gender': 'm' is not one of its levels: M, F" + NOTHING,
                17,
                "gender");
    }

    @Test
    void refusesNumbersOutsideTheirRange() throws IOException {
        assertRefused(
                "dataset,subjectageyears\nedsd0,-1\n",
                "bad.csv line 2, column 'subjectageyears': '-1' is below the minimum 0 "
                        + "(minValue in the data model)" + NOTHING,
                2,
                "subjectageyears");
        assertRefused(
                "dataset,subjectage\nedsd0,130.5\n",
                "bad.csv line 2, column 'subjectage': '130.5' is above the maximum 130 "
                        + "(maxValue in the data model)" + NOTHING,
                2,
                "subjectage");
        assertRefused(
                "dataset,minimentalstate\nedsd0,31.0\n",
                "bad.csv line 2, column 'minimentalstate': '31.0' is above the maximum 30 "
                        + "(maxValue in the data model)" + NOTHING,
                2,
                "minimentalstate");
    }

    @Test
    void refusesRowsWithTheWrongNumberOfCells() throws IOException {
        assertRefused(
                "dataset,gender,subjectageyears\nedsd0,M,70\nedsd0,M\n",
                "bad.csv line 3: the row has 2 cells but the header has 3 columns" + NOTHING,
                3,
                null);
        assertRefused(
                "dataset,gender\nedsd0,M,\n",
                "bad.csv line 2: the row has 3 cells but the header has 2 columns" + NOTHING,
                2,
                null);
    }

    @Test
    void refusesBrokenQuotingAndEncoding() throws IOException {
        assertRefused(
                "dataset,subjectcode\nedsd0,\"a\nedsd0,b\n",
                "bad.csv line 2: a cell opens a double quote that is never closed; " + "close it or double the quote"
                        + NOTHING,
                2,
                null);
        Path latin1 = directory.resolve("bad.csv");
        Files.write(latin1, "dataset,subjectcode\nedsd0,Z\u00fcrich\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> importer.importCsv(DEMENTIA, latin1, ProgressListener.NONE))
                .isInstanceOf(ImportException.class)
                .hasMessage(
                        "bad.csv line 2, column 'subjectcode': the cell is not valid UTF-8 text; save the file with the UTF-8 encoding"
                                + NOTHING);
        Files.write(latin1, "dataset,gender\nedsd0,\u00c9\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> importer.importCsv(DEMENTIA, latin1, ProgressListener.NONE))
                .hasMessage(
                        "bad.csv line 2, column 'gender': the cell is not valid UTF-8 text; save the file with the UTF-8 encoding"
                                + NOTHING);
        Files.write(latin1, "dataset,\u00e2ge\nedsd0,1\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> importer.importCsv(DEMENTIA, latin1, ProgressListener.NONE))
                .hasMessage("bad.csv line 1: the header is not valid UTF-8 text; save the file with the UTF-8 encoding"
                        + NOTHING);
        assertThatThrownBy(() -> importer.importCsv(DEMENTIA, directory.resolve("missing.csv"), ProgressListener.NONE))
                .isInstanceOf(ImportException.class)
                .hasMessage("Cannot import " + directory.resolve("missing.csv") + ": there is no such file");
        assertThat(store.dataModels()).isEmpty();
    }

    @Test
    void readsQuotedCellsIntegersWrittenAsDecimalsAndEmptyCells() throws IOException {
        Path csv = write(
                "ok.csv",
                "\uFEFF\"dataset\",subjectcode,subjectageyears,leftamygdala,gender\r\n"
                        + "\"edsd0\",\"a,b\",\"83.0\",,\"M\"\r\n"
                        + "edsd0,\"say \"\"hi\"\"\",8.3e1, 1.25 ,\r\n"
                        + "edsd1,\"two\nlines\",,-0.5,F\r\n");
        ImportResult result = importer.importCsv(DEMENTIA, csv, ProgressListener.NONE);
        assertThat(result.rowsByDataset()).containsExactly(Map.entry("edsd0", 2L), Map.entry("edsd1", 1L));
        assertThat(this.<String>query(
                        "SELECT string_agg(CAST(\"subjectcode\" AS "
                                + store.dialect().textType() + ") || '|' || "
                                + "coalesce(CAST(\"subjectageyears\" AS "
                                + store.dialect().textType() + "), '-') || '|' || coalesce(CAST(\"leftamygdala\" AS "
                                + store.dialect().textType()
                                + "), '-') || '|' || coalesce(\"gender\", '-'), ';' ORDER BY \"_row_id\") FROM \"data_dementia_0_1\"",
                        rows -> rows.getString(1)))
                .isEqualTo("a,b|83|-|M;say \"hi\"|83|1.25|-;two\nlines|-|-0.5|F");
    }

    @Test
    void storesTextOfAnyScriptOrLengthAndNumbersBitForBit() throws IOException {
        // Longer than the writers' blocks (64 KiB), in one, two, three and four UTF-8 bytes per code point.
        String longAscii = "x".repeat(70_000);
        String longMixed = "aé中😀".repeat(20_000);
        String[] codes = {"Zürich 中文 😀", longAscii, longMixed, "tab\tand \"quote\" and \\ backslash", "line\r\nbreak"};
        String[] numbers = {"0.1", "1e-300", "123456789.123456789", "-2.2250738585072014E-308", "4.9e-324"};
        StringBuilder csv = new StringBuilder("dataset,subjectcode,leftamygdala\n");
        for (int i = 0; i < codes.length; i++) {
            csv.append("edsd0,\"")
                    .append(codes[i].replace("\"", "\"\""))
                    .append("\",")
                    .append(numbers[i])
                    .append('\n');
        }
        importer.importCsv(DEMENTIA, write("texts.csv", csv.toString()), ProgressListener.NONE);
        List<String> storedCodes = new ArrayList<>();
        List<Double> storedNumbers = new ArrayList<>();
        query("SELECT \"subjectcode\", \"leftamygdala\" FROM \"data_dementia_0_1\" ORDER BY \"_row_id\"", rows -> {
            do {
                storedCodes.add(rows.getString(1));
                storedNumbers.add(rows.getDouble(2));
            } while (rows.next());
            return null;
        });
        assertThat(storedCodes).containsExactly(codes);
        assertThat(storedNumbers)
                .containsExactly(
                        java.util.Arrays.stream(numbers).map(Double::valueOf).toArray(Double[]::new));
    }

    @Test
    void loadsAllOrNothing() throws IOException {
        StringBuilder csv = new StringBuilder("dataset,subjectageyears,gender\n");
        for (int i = 0; i < 5000; i++) {
            csv.append(i % 2 == 0 ? "edsd0" : "ppmi0")
                    .append(',')
                    .append(i % 100)
                    .append(",F\n");
        }
        Path good = write("good.csv", csv.toString());
        csv.append("edsd0,200,F\n");
        assertRefused(
                csv.toString(),
                "bad.csv line 5002, column 'subjectageyears': '200' is above the maximum 130 (maxValue in the data "
                        + "model)" + NOTHING,
                5002,
                "subjectageyears");
        assertThat(store.dataModels()).isEmpty();
        assertThat(importer.importCsv(DEMENTIA, good, ProgressListener.NONE).rows())
                .isEqualTo(5000);
        assertRefused(
                ImportMode.APPEND,
                csv.toString(),
                "bad.csv line 5002, column 'subjectageyears': '200' is above the maximum 130 (maxValue in the data "
                        + "model)" + NOTHING,
                5002,
                "subjectageyears");
        assertThat(rowCount()).isEqualTo(5000);
        assertThat(store.dataModel("dementia:0.1").orElseThrow().datasets())
                .extracting(StoredDataset::code, StoredDataset::rows)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("edsd0", 2500L),
                        org.assertj.core.groups.Tuple.tuple("ppmi0", 2500L));
    }

    @Test
    void refusesTheSameFileTwiceEvenWhenAppending() throws IOException {
        Path first = TestStore.dementiaCsv("edsd0.csv", directory);
        ImportResult imported = importer.importCsv(DEMENTIA, first, ProgressListener.NONE);
        assertThatThrownBy(() -> importer.importCsv(DEMENTIA, first, ImportMode.APPEND, ProgressListener.NONE))
                .isInstanceOf(ImportException.class)
                .hasMessageStartingWith("edsd0.csv was already imported into dementia:0.1 on ")
                .hasMessageEndingWith(" (as 'edsd0.csv', 15 rows, same SHA-256 "
                        + imported.sha256().substring(0, 12)
                        + "…), so it was not imported again; to load it anew in place of its datasets' rows (say, after they were "
                        + "replaced by another file), import it with --replace");
        Path renamed = Files.copy(first, directory.resolve("copy-of-edsd0.csv"));
        assertThatThrownBy(() -> importer.importCsv(DEMENTIA, renamed, ImportMode.APPEND, ProgressListener.NONE))
                .hasMessageStartingWith("copy-of-edsd0.csv was already imported into dementia:0.1 on ")
                .hasMessageContaining("(as 'edsd0.csv', 15 rows");
        assertThat(rowCount()).isEqualTo(15);
    }

    @Test
    void refusesByDefaultAFileWithADatasetAlreadyInTheStore() throws IOException {
        importer.importCsv(DEMENTIA, TestStore.dementiaCsv("edsd0.csv", directory), ProgressListener.NONE);
        // the same rows exported again: another file (another SHA-256), the same dataset
        assertRefused(
                "dataset,gender\nedsd1,M\nedsd0,M\nedsd0,F\n",
                "bad.csv line 3: the dataset 'edsd0' is already in this node's store "
                        + "(15 rows of dementia:0.1, last imported from edsd0.csv), so bad.csv was not imported: importing it would add its rows to "
                        + "the dataset's. To replace the dataset's rows by the file's, import it again with --replace; to add them, with --append. "
                        + "Nothing of bad.csv was imported",
                3,
                "dataset");
        assertThat(rowCount()).isEqualTo(15);
        assertThat(store.dataModel("dementia:0.1").orElseThrow().datasets())
                .extracting(StoredDataset::code)
                .containsExactly("edsd0");
    }

    @Test
    void appendsRowsAfterTheEarlierOnesKeepingTheirRowIds() throws IOException {
        importer.importCsv(DEMENTIA, TestStore.dementiaCsv("edsd0.csv", directory), ProgressListener.NONE);
        importer.importCsv(DEMENTIA, TestStore.dementiaCsv("ppmi0.csv", directory), ProgressListener.NONE);
        String before = rowIds("edsd0");
        Path more = write("edsd0-more.csv", "dataset,gender\nedsd0,M\nedsd0,F\n");
        ImportResult appended = importer.importCsv(DEMENTIA, more, ImportMode.APPEND, ProgressListener.NONE);
        assertThat(appended.datasetTotals()).containsExactly(Map.entry("edsd0", 17L));
        assertThat(appended.replacedRows()).isZero();
        assertThat(store.dataModel("dementia:0.1")
                        .orElseThrow()
                        .dataset("edsd0")
                        .orElseThrow())
                .extracting(StoredDataset::rows, StoredDataset::source)
                .containsExactly(17L, "edsd0-more.csv");
        // the earlier rows keep their ids, so their positions in the dataset (and their cross-validation folds) stay
        assertThat(rowIds("edsd0")).startsWith(before).isEqualTo(before + ",62,63");
        assertThat(this.<Long>query(
                        "SELECT count(DISTINCT \"_row_id\") FROM \"data_dementia_0_1\"", rows -> rows.getLong(1)))
                .isEqualTo(63);
    }

    @Test
    void replacesADatasetInOneTransaction() throws IOException {
        importer.importCsv(DEMENTIA, TestStore.dementiaCsv("edsd0.csv", directory), ProgressListener.NONE);
        importer.importCsv(DEMENTIA, TestStore.dementiaCsv("ppmi0.csv", directory), ProgressListener.NONE);
        Path newer = write("edsd0-2027.csv", "dataset,gender\nedsd0,M\nedsd0,F\nedsd0,F\n");
        List<Long> seenDuringImport = new ArrayList<>();
        ImportResult replaced = importer.importCsv(
                DEMENTIA, newer, ImportMode.REPLACE, (rows, bytes) -> seenDuringImport.add(rowsOf("edsd0")));
        // while the new rows were going in, other connections saw the old rows, and only them
        assertThat(seenDuringImport).isNotEmpty().containsOnly(15L);
        assertThat(replaced.replacedRows()).isEqualTo(15);
        assertThat(replaced.datasetTotals()).containsExactly(Map.entry("edsd0", 3L));
        assertThat(rowsOf("edsd0")).isEqualTo(3);
        assertThat(rowsOf("ppmi0")).isEqualTo(46);
        assertThat(store.dataModel("dementia:0.1")
                        .orElseThrow()
                        .dataset("edsd0")
                        .orElseThrow())
                .extracting(StoredDataset::rows, StoredDataset::source)
                .containsExactly(3L, "edsd0-2027.csv");

        // a replacement that fails half-way leaves the rows it was to replace
        StringBuilder broken = new StringBuilder("dataset,subjectageyears\n");
        for (int i = 0; i < 3000; i++) {
            broken.append("edsd0,").append(i % 90).append('\n');
        }
        broken.append("edsd0,200\n");
        assertRefused(
                ImportMode.REPLACE,
                broken.toString(),
                "bad.csv line 3002, column 'subjectageyears': '200' is above the maximum 130 "
                        + "(maxValue in the data model)" + NOTHING,
                3002,
                "subjectageyears");
        assertThat(rowsOf("edsd0")).isEqualTo(3);
        assertThat(store.dataModel("dementia:0.1")
                        .orElseThrow()
                        .dataset("edsd0")
                        .orElseThrow()
                        .rows())
                .isEqualTo(3);

        // the original file may come back the same way, although it was imported before
        ImportResult back = importer.importCsv(
                DEMENTIA, TestStore.dementiaCsv("edsd0.csv", directory), ImportMode.REPLACE, ProgressListener.NONE);
        assertThat(back.replacedRows()).isEqualTo(3);
        assertThat(rowsOf("edsd0")).isEqualTo(15);
        assertThat(rowCount()).isEqualTo(61);
    }

    @Test
    void refusesAnotherModelUnderTheSameCodeAndVersion() throws IOException {
        importer.importCsv(DEMENTIA, TestStore.dementiaCsv("edsd0.csv", directory), ProgressListener.NONE);
        DataModel changed = DataModel.parse(DEMENTIA.json().replace("\"maxValue\": 130", "\"maxValue\": 140"));
        assertThat(changed.cde("subjectageyears").max()).isEqualTo(140.0);
        assertThatThrownBy(() -> importer.importCsv(changed, write("x.csv", "dataset\nedsd1\n"), ProgressListener.NONE))
                .isInstanceOf(ImportException.class)
                .hasMessage(
                        "Cannot import x.csv: The data model dementia:0.1 is already in the store with a different CDEsMetadata.json "
                                + "(the variable 'subjectage' differs). A changed data model needs a new version: change 'version' in the file "
                                + "and import again");
        assertThatThrownBy(() -> importer.registerDataModel(changed))
                .isInstanceOf(ImportException.class)
                .hasMessageStartingWith(
                        "The data model dementia:0.1 is already in the store with a different CDEsMetadata.json");
        assertThat(importer.registerDataModel(DEMENTIA)).isFalse();
    }

    @Test
    void reportsProgressWhileStreamingALargeFile() throws IOException {
        Path big = directory.resolve("big.csv");
        try (var out = Files.newBufferedWriter(big)) {
            out.write("dataset,subjectageyears,leftamygdala,rightamygdala,gender,agegroup\n");
            for (int i = 0; i < 400_000; i++) {
                out.write((i % 3 == 0 ? "edsd1" : "ppmi1") + "," + (i % 90) + "," + (1 + i % 1000 / 1000.0) + ",1.2345,"
                        + (i % 2 == 0 ? "M" : "F") + ",60-69y\n");
            }
        }
        List<long[]> calls = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        ImportResult result = importer.importCsv(DEMENTIA, big, (rows, bytes) -> {
            calls.add(new long[] {rows, bytes});
            times.add(System.nanoTime());
        });
        assertThat(result.rows()).isEqualTo(400_000);
        assertThat(calls.get(calls.size() - 1)).containsExactly(400_000, Files.size(big));
        for (int i = 1; i < calls.size() - 1; i++) {
            assertThat(calls.get(i)[0]).isGreaterThan(calls.get(i - 1)[0]);
            assertThat(times.get(i) - times.get(i - 1)).isGreaterThanOrEqualTo(450_000_000L);
        }
        assertThat(rowCount()).isEqualTo(400_000);
    }

    private void assertRefused(String csv, String message, long line, String column) throws IOException {
        assertRefused(ImportMode.NEW, csv, message, line, column);
    }

    private void assertRefused(ImportMode mode, String csv, String message, long line, String column)
            throws IOException {
        Path file = write("bad.csv", csv);
        assertThatThrownBy(() -> importer.importCsv(DEMENTIA, file, mode, ProgressListener.NONE))
                .isInstanceOf(ImportException.class)
                .hasMessage(message)
                .satisfies(e -> {
                    ImportException refused = (ImportException) e;
                    assertThat(refused.file()).isEqualTo("bad.csv");
                    assertThat(refused.line()).isEqualTo(line);
                    assertThat(refused.column()).isEqualTo(column);
                });
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(directory.resolve(name), content, StandardCharsets.UTF_8);
    }

    private long rowCount() {
        if (store.dataModels().isEmpty()) {
            return 0;
        }
        return this.<Long>query("SELECT count(*) FROM \"data_dementia_0_1\"", rows -> rows.getLong(1));
    }

    private long rowsOf(String dataset) {
        return this.<Long>query(
                "SELECT count(*) FROM \"data_dementia_0_1\" WHERE \"dataset\" = '" + dataset + "'",
                rows -> rows.getLong(1));
    }

    private String rowIds(String dataset) {
        return this.<String>query(
                "SELECT string_agg(CAST(\"_row_id\" AS VARCHAR), ',' ORDER BY \"_row_id\") FROM \"data_dementia_0_1\" "
                        + "WHERE \"dataset\" = '" + dataset + "'",
                rows -> rows.getString(1));
    }

    private <T> T query(String sql, RowReader<T> reader) {
        return store.withConnection(c -> {
            try (ResultSet rows = c.createStatement().executeQuery(sql)) {
                rows.next();
                return reader.read(rows);
            }
        });
    }

    private interface RowReader<T> {
        T read(ResultSet rows) throws java.sql.SQLException;
    }
}
