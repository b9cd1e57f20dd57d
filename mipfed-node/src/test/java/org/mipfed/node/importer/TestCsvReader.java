package org.mipfed.node.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestCsvReader {
    @Test
    void readsPlainQuotedAndEmptyCells() throws Exception {
        assertThat(read("a,b,c\n1,,3\n\"x,y\",\"say \"\"hi\"\"\",\"\"\n"))
                .containsExactly(
                        List.of("1:a", "1:b", "1:c"),
                        List.of("2:1", "2:", "2:3"),
                        List.of("3:x,y", "3:say \"hi\"", "3:"));
    }

    @Test
    void countsLinesInsideQuotedCellsAndSkipsBlankLines() throws Exception {
        assertThat(read("h1,h2\r\n\"two\nlines\",b\r\n\r\n\nlast,row"))
                .containsExactly(List.of("1:h1", "1:h2"), List.of("2:two\nlines", "2:b"), List.of("6:last", "6:row"));
    }

    @Test
    void handlesLoneCarriageReturnsByteOrderMarkAndTrailingComma() throws Exception {
        assertThat(read("\uFEFFa,b\r1,\r")).containsExactly(List.of("1:a", "1:b"), List.of("2:1", "2:"));
        assertThat(read("a")).containsExactly(List.of("1:a"));
        assertThat(read("")).isEmpty();
        assertThat(read("a,")).containsExactly(List.of("1:a", "1:"));
    }

    @Test
    void readsCellsAcrossBufferBoundaries() throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            csv.append(i).append(",\"q\"\"").append(i).append("\",x").append(i).append('\n');
        }
        List<List<String>> rows = read(csv.toString());
        assertThat(rows).hasSize(20_000);
        assertThat(rows.get(12_345)).containsExactly("12346:12345", "12346:q\"12345", "12346:x12345");
    }

    @Test
    void refusesBrokenQuoting() {
        assertThatThrownBy(() -> read("a,b\n\"open,b\nc,d\n"))
                .isInstanceOf(CsvFormatException.class)
                .hasMessage("a cell opens a double quote that is never closed; close it or double the quote")
                .extracting(e -> ((CsvFormatException) e).line())
                .isEqualTo(2L);
        assertThatThrownBy(() -> read("a,b\n\"x\"y,b\n"))
                .hasMessage("cell 1 has text after its closing double quote; double the quotes inside a quoted cell");
        assertThatThrownBy(() -> read("a,b\nx,y\"z\n"))
                .hasMessage(
                        "cell 2 has a double quote but does not start with one; enclose the whole cell in double quotes and "
                                + "double each quote inside it");
    }

    private static List<List<String>> read(String csv) throws Exception {
        CsvReader reader = new CsvReader(new StringReader(csv));
        List<List<String>> rows = new ArrayList<>();
        while (reader.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 0; i < reader.size(); i++) {
                row.add(reader.line() + ":" + reader.text(i));
            }
            rows.add(row);
        }
        return rows;
    }
}
