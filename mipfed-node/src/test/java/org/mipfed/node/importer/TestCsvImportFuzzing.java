package org.mipfed.node.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.model.DataModel;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.StoreKind;
import org.mipfed.node.store.TestStore;

/**
 * Random mutations of a valid dementia CSV (seeded; a failure names its seed and case): cut lines,
 * stray quotes, wrong types, huge fields, byte order marks, NULs, missing and extra cells, flipped
 * bytes. Each file is imported whole or refused naming the file and, where it applies, the line and
 * column, with nothing written; never another exception, never a hang.
 */
class TestCsvImportFuzzing {
    private static final long SEED = 4242L;
    private static final DataModel DEMENTIA = TestStore.dementia();

    @TempDir
    Path directory;

    private TestStore testStore;
    private DataStore store;
    private DataImporter importer;

    @BeforeEach
    void open() {
        testStore = TestStore.open(StoreKind.DUCKDB, directory);
        store = testStore.store();
        importer = new DataImporter(store);
    }

    @AfterEach
    void close() {
        testStore.close();
    }

    @Test
    void everyMutatedFileIsImportedWholeOrRefusedWithNothingWritten() throws IOException {
        List<String> lines = Files.readAllLines(TestStore.dementiaCsv("edsd1.csv", directory), StandardCharsets.UTF_8);
        Random random = new Random(SEED);
        int imported = 0;
        int refused = 0;
        for (int i = 0; i < 120; i++) {
            byte[] content = mutate(new ArrayList<>(lines), random);
            Path csv = directory.resolve("fuzz" + i + ".csv");
            Files.write(csv, content);
            String label = "case " + i + " (seed " + SEED + ")";
            long before = rowCount();
            ImportResult result;
            try {
                result = assertTimeoutPreemptively(
                        Duration.ofSeconds(30), () -> importer.importCsv(DEMENTIA, csv, ProgressListener.NONE), label);
            } catch (ImportException e) {
                refused++;
                assertThat(e.file()).as(label).isEqualTo(csv.getFileName().toString());
                assertThat(e.getMessage())
                        .as(label)
                        .isNotBlank()
                        .contains(csv.getFileName().toString())
                        .doesNotContain("Exception");
                if (e.line() > 0) {
                    assertThat(e.getMessage()).as(label + ": " + e.getMessage()).containsPattern("line " + e.line());
                }
                assertThat(rowCount())
                        .as(label + ": nothing written after " + e.getMessage())
                        .isEqualTo(before);
                continue;
            } catch (RuntimeException e) {
                fail(label + " threw " + e, e);
                return;
            }
            imported++;
            assertThat(result.rows()).as(label).isPositive();
            assertThat(rowCount()).as(label).isEqualTo(before + result.rows());
        }
        assertThat(refused).as("most mutations break the file").isGreaterThan(30);
        assertThat(imported).as("some mutations keep it valid").isGreaterThan(0);
    }

    /** One to three mutations of the lines (header first), then the bytes. */
    private static byte[] mutate(List<String> lines, Random random) {
        int mutations = 1 + random.nextInt(3);
        boolean bom = false;
        boolean crlf = false;
        int flips = 0;
        for (int m = 0; m < mutations; m++) {
            int line = 1 + random.nextInt(lines.size() - 1);
            String text = lines.get(line);
            switch (random.nextInt(12)) {
                case 0 -> lines.set(line, text.substring(0, random.nextInt(text.length() + 1)));
                case 1 -> lines.set(line, insert(text, random, "\""));
                case 2 ->
                    lines.set(
                            line,
                            replaceCell(text, random, pick(random, "abc", "1e999", "NaN", "--1", "0x10", "M", "")));
                case 3 -> lines.set(line, replaceCell(text, random, "9".repeat(1 + random.nextInt(2_000_000))));
                case 4 -> bom = true;
                case 5 -> lines.set(line, insert(text, random, "\u0000"));
                case 6 -> lines.set(line, text + ",extra");
                case 7 -> lines.set(line, text.substring(0, Math.max(0, text.lastIndexOf(','))));
                case 8 -> crlf = true;
                case 9 -> flips += 1 + random.nextInt(5);
                case 10 ->
                    lines.set(
                            0,
                            replaceCell(
                                    lines.get(0), random, pick(random, "no_such_column", "", "dataset", "\"gender")));
                default -> lines.set(line, "\"" + text.replace(",", "\",\"") + "\"");
            }
        }
        String joined = String.join(crlf ? "\r\n" : "\n", lines) + (random.nextBoolean() ? "\n" : "");
        byte[] bytes = ((bom ? "\uFEFF" : "") + joined).getBytes(StandardCharsets.UTF_8);
        for (int f = 0; f < flips; f++) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static String insert(String text, Random random, String what) {
        int at = random.nextInt(text.length() + 1);
        return text.substring(0, at) + what + text.substring(at);
    }

    private static String replaceCell(String line, Random random, String value) {
        String[] cells = line.split(",", -1);
        cells[random.nextInt(cells.length)] = value;
        return String.join(",", cells);
    }

    private static String pick(Random random, String... values) {
        return values[random.nextInt(values.length)];
    }

    private long rowCount() {
        if (store.dataModels().isEmpty()) {
            return 0;
        }
        return store.withConnection(c -> {
            try (ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM \"data_dementia_0_1\"")) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }
}
