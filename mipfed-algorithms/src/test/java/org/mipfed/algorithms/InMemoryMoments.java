package org.mipfed.algorithms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.mipfed.core.problem.Problem;
import org.mipfed.proto.v1.LevelSelection;
import org.mipfed.proto.v1.MomentsDifference;
import org.mipfed.proto.v1.MomentsGroup;
import org.mipfed.proto.v1.MomentsQuery;
import org.mipfed.proto.v1.MomentsResult;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableMoments;

/** The {@code moments} primitive of {@link InMemoryNode}, computed the plain way: two passes over each group's values. */
final class InMemoryMoments {
    private InMemoryMoments() {}

    static PrimitiveResult compute(MomentsQuery query, List<Map<String, Object>> rows, int minRows) {
        Set<String> used = new LinkedHashSet<>(query.getNumericalList());
        for (MomentsDifference difference : query.getDifferencesList()) {
            used.add(difference.getMinuend());
            used.add(difference.getSubtrahend());
        }
        used.addAll(query.getGroupByList());
        used.addAll(query.getCompleteInList());
        Map<String, List<Map<String, Object>>> groups = new TreeMap<>();
        Map<String, List<String>> levels = new TreeMap<>();
        rows:
        for (Map<String, Object> row : rows) {
            for (String variable : used) {
                if (row.get(variable) == null) {
                    continue rows;
                }
            }
            for (LevelSelection selection : query.getOnlyLevelsList()) {
                if (!selection
                        .getLevelsList()
                        .contains(row.get(selection.getVariable()).toString())) {
                    continue rows;
                }
            }
            List<String> key = query.getGroupByList().stream()
                    .map(v -> row.get(v).toString())
                    .toList();
            String sortKey = String.join("\u0000", key);
            levels.put(sortKey, key);
            groups.computeIfAbsent(sortKey, k -> new ArrayList<>()).add(row);
        }
        MomentsResult.Builder result = MomentsResult.newBuilder();
        long total = 0;
        for (Map.Entry<String, List<Map<String, Object>>> entry : groups.entrySet()) {
            List<Map<String, Object>> group = entry.getValue();
            if (group.size() < minRows) {
                throw Problem.badRequest(
                        "Only " + group.size() + " rows with " + levels.get(entry.getKey()) + " (rule min_rows)");
            }
            total += group.size();
            MomentsGroup.Builder out = MomentsGroup.newBuilder()
                    .addAllLevels(levels.get(entry.getKey()))
                    .setN(group.size());
            for (String variable : query.getNumericalList()) {
                out.addMoments(moments(group.stream()
                        .mapToDouble(r -> (Double) r.get(variable))
                        .toArray()));
            }
            for (MomentsDifference d : query.getDifferencesList()) {
                out.addMoments(moments(group.stream()
                        .mapToDouble(r -> (Double) r.get(d.getMinuend()) - (Double) r.get(d.getSubtrahend()))
                        .toArray()));
            }
            result.addGroups(out);
        }
        return PrimitiveResult.newBuilder()
                .setRowsUsed(total)
                .setMoments(result)
                .build();
    }

    private static VariableMoments moments(double[] values) {
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            sum += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double mean = sum / values.length;
        double m2 = 0;
        for (double v : values) {
            m2 += (v - mean) * (v - mean);
        }
        return VariableMoments.newBuilder()
                .setMean(mean)
                .setM2(m2)
                .setMin(min)
                .setMax(max)
                .build();
    }
}
