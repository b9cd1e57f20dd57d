package org.mipfed.algorithms;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.SurvivalCountsQuery;
import org.mipfed.proto.v1.SurvivalCountsResult;
import org.mipfed.proto.v1.SurvivalGroupCounts;

/** The {@code survival_counts} primitive over in-memory rows, the plain way, as the node's SQL must compute it. */
final class InMemorySurvival {
    private InMemorySurvival() {}

    static PrimitiveResult compute(
            DataModel model, SurvivalCountsQuery query, List<Map<String, Object>> rows, int minRows) {
        Set<String> used = new LinkedHashSet<>(List.of(query.getTime(), query.getEvent()));
        if (!query.getGroupBy().isEmpty()) {
            used.add(query.getGroupBy());
        }
        used.addAll(query.getCompleteInList());
        List<Map<String, Object>> complete = rows.stream()
                .filter(r -> used.stream().allMatch(v -> r.get(v) != null))
                .toList();
        if (!complete.isEmpty() && complete.size() < minRows) {
            throw new IllegalStateException("min_rows: only " + complete.size() + " rows");
        }
        Map<String, TreeMap<Long, long[]>> groups = new LinkedHashMap<>();
        if (query.getGroupBy().isEmpty()) {
            groups.put("", new TreeMap<>());
        } else {
            model.cde(query.getGroupBy()).enumerations().keySet().forEach(level -> groups.put(level, new TreeMap<>()));
        }
        for (Map<String, Object> row : complete) {
            String level = query.getGroupBy().isEmpty()
                    ? ""
                    : row.get(query.getGroupBy()).toString();
            long bin = (long) Math.ceil((Double) row.get(query.getTime()) / query.getBinWidth());
            boolean event =
                    query.getEventLevel().equals(row.get(query.getEvent()).toString());
            groups.get(level).computeIfAbsent(bin, b -> new long[2])[event ? 0 : 1]++;
        }
        SurvivalCountsResult.Builder result = SurvivalCountsResult.newBuilder().setN(complete.size());
        for (Map.Entry<String, TreeMap<Long, long[]>> group : groups.entrySet()) {
            if (group.getValue().isEmpty()) {
                continue;
            }
            SurvivalGroupCounts.Builder counts =
                    SurvivalGroupCounts.newBuilder().setLevel(group.getKey());
            for (Map.Entry<Long, long[]> bin : group.getValue().entrySet()) {
                for (long count : bin.getValue()) {
                    if (count > 0 && count < minRows) {
                        throw new IllegalStateException("min_rows: " + count + " in bin " + bin.getKey());
                    }
                }
                counts.addBins(bin.getKey()).addEvents(bin.getValue()[0]).addCensored(bin.getValue()[1]);
            }
            result.addGroups(counts);
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(complete.size())
                .setSurvivalCounts(result)
                .build();
    }
}
