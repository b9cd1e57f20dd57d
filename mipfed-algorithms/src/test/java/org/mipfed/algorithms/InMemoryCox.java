package org.mipfed.algorithms;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.CoxBin;
import org.mipfed.proto.v1.CoxStepQuery;
import org.mipfed.proto.v1.CoxStepResult;
import org.mipfed.proto.v1.GlmColumn;
import org.mipfed.proto.v1.PrimitiveResult;

/** The {@code cox_step} primitive over in-memory rows, the plain way: one row at a time into its bin's sums. */
final class InMemoryCox {
    private InMemoryCox() {}

    static PrimitiveResult compute(DataModel model, CoxStepQuery query, List<Map<String, Object>> rows, int minRows) {
        Set<String> used = new LinkedHashSet<>(List.of(query.getTime(), query.getEvent()));
        query.getColumnsList().forEach(c -> used.add(c.getVariable()));
        if (!query.getStrata().isEmpty()) {
            used.add(query.getStrata());
        }
        used.addAll(query.getCompleteInList());
        List<Map<String, Object>> complete = rows.stream()
                .filter(r -> used.stream().allMatch(v -> r.get(v) != null))
                .toList();
        if (!complete.isEmpty() && complete.size() < minRows) {
            throw new IllegalStateException("min_rows: only " + complete.size() + " rows");
        }
        int p = query.getColumnsCount();
        Map<String, TreeMap<Long, double[]>> strata = new LinkedHashMap<>();
        if (query.getStrata().isEmpty()) {
            strata.put("", new TreeMap<>());
        } else {
            model.cde(query.getStrata()).enumerations().keySet().forEach(level -> strata.put(level, new TreeMap<>()));
        }
        int triangle = p * (p + 1) / 2;
        int size = 2 + 2 * (1 + p + triangle) + p;
        for (Map<String, Object> row : complete) {
            String stratum = query.getStrata().isEmpty()
                    ? ""
                    : row.get(query.getStrata()).toString();
            long bin = (long) Math.ceil(((Number) row.get(query.getTime())).doubleValue() / query.getBinWidth());
            boolean event =
                    query.getEventLevel().equals(row.get(query.getEvent()).toString());
            double[] x = new double[p];
            double eta = -query.getOffset();
            for (int j = 0; j < p; j++) {
                GlmColumn column = query.getColumns(j);
                Object value = row.get(column.getVariable());
                x[j] = column.getLevel().isEmpty()
                        ? ((Number) value).doubleValue()
                        : column.getLevel().equals(value.toString()) ? 1 : 0;
                eta += (query.getBetaCount() == 0 ? 0 : query.getBeta(j)) * x[j];
            }
            double w = Math.exp(eta);
            double[] s = strata.get(stratum).computeIfAbsent(bin, b -> new double[size]);
            s[event ? 0 : 1]++;
            add(s, 2, w, x);
            if (event) {
                add(s, 3 + p + triangle, w, x);
                for (int j = 0; j < p; j++) {
                    s[2 + 2 * (1 + p + triangle) + j] += x[j];
                }
            }
        }
        CoxStepResult.Builder result = CoxStepResult.newBuilder().setN(complete.size());
        for (Map.Entry<String, TreeMap<Long, double[]>> stratum : strata.entrySet()) {
            for (Map.Entry<Long, double[]> entry : stratum.getValue().entrySet()) {
                double[] s = entry.getValue();
                for (int k = 0; k < 2; k++) {
                    if (s[k] > 0 && s[k] < minRows) {
                        throw new IllegalStateException("min_rows: " + s[k] + " in bin " + entry.getKey());
                    }
                }
                CoxBin.Builder bin = CoxBin.newBuilder()
                        .setStratum(stratum.getKey())
                        .setBin(entry.getKey())
                        .setEvents((long) s[0])
                        .setCensored((long) s[1]);
                int k = 2;
                bin.setW(s[k++]);
                for (int j = 0; j < p; j++) {
                    bin.addWx(s[k++]);
                }
                for (int j = 0; j < triangle; j++) {
                    bin.addWxx(s[k++]);
                }
                bin.setEventW(s[k++]);
                for (int j = 0; j < p; j++) {
                    bin.addEventWx(s[k++]);
                }
                for (int j = 0; j < triangle; j++) {
                    bin.addEventWxx(s[k++]);
                }
                for (int j = 0; j < p; j++) {
                    bin.addEventX(s[k++]);
                }
                result.addBins(bin);
            }
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(complete.size())
                .setCoxStep(result)
                .build();
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
}
