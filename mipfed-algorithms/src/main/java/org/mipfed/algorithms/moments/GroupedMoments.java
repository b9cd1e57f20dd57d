package org.mipfed.algorithms.moments;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mipfed.algorithms.numerics.Moments;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.MomentsGroup;
import org.mipfed.proto.v1.MomentsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.VariableMoments;

/**
 * The {@code moments} primitive pooled over the nodes: per group of rows (a combination of levels of
 * the grouping variables), the count and the moments of each numerical variable, then of each
 * difference asked for. Groups of different nodes with the same levels combine exactly (Chan's
 * update), so the result is that of the pooled rows.
 *
 * @param groups by their levels (parallel to the query's {@code group_by}), in code point order
 */
public record GroupedMoments(Map<List<String>, Group> groups) {
    public GroupedMoments {
        groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /**
     * One group of rows.
     *
     * @param moments parallel to the query's numerical variables, then its differences
     */
    public record Group(List<String> levels, long n, List<Moments> moments) {
        public Group {
            levels = List.copyOf(levels);
            moments = List.copyOf(moments);
        }

        public Moments moments(int index) {
            return moments.get(index);
        }

        Group combine(Group other) {
            List<Moments> combined = new ArrayList<>();
            for (int i = 0; i < moments.size(); i++) {
                combined.add(moments.get(i).combine(other.moments.get(i)));
            }
            return new Group(levels, n + other.n, combined);
        }
    }

    /** Asks every node for {@code query} and pools the answers. */
    public static GroupedMoments compute(FederationContext federation, MomentsQuery query) {
        requireNonNull(query, "query is null");
        int values = query.getNumericalCount() + query.getDifferencesCount();
        List<NodeAnswer> answers =
                federation.compute(PrimitiveQuery.newBuilder().setMoments(query));
        // Sorted as the nodes sort: by the levels joined with a character no level contains.
        Map<String, Group> pooled = new TreeMap<>();
        for (NodeAnswer answer : answers) {
            for (MomentsGroup group : answer.result().getMoments().getGroupsList()) {
                if (group.getLevelsCount() != query.getGroupByCount() || group.getMomentsCount() != values) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "The node " + answer.node() + " returned moments of "
                                    + group.getMomentsCount() + " values for " + group.getLevelsCount()
                                    + " grouping variables, but "
                                    + values + " values for " + query.getGroupByCount() + " were asked for");
                }
                List<Moments> moments = new ArrayList<>();
                for (VariableMoments m : group.getMomentsList()) {
                    moments.add(new Moments(group.getN(), m.getMean(), m.getM2(), m.getMin(), m.getMax()));
                }
                Group node = new Group(group.getLevelsList(), group.getN(), moments);
                pooled.merge(String.join("\u0000", group.getLevelsList()), node, Group::combine);
            }
        }
        Map<List<String>, Group> out = new LinkedHashMap<>();
        pooled.values().forEach(group -> out.put(group.levels(), group));
        return new GroupedMoments(out);
    }

    /** Rows over all groups. */
    public long n() {
        return groups.values().stream().mapToLong(Group::n).sum();
    }

    /** The moments of value {@code index} over all groups. */
    public Moments total(int index) {
        Moments total = Moments.EMPTY;
        for (Group group : groups.values()) {
            total = total.combine(group.moments(index));
        }
        return total;
    }

    /** The levels of grouping variable {@code variable} (an index into {@code group_by}) present, in code point order. */
    public List<String> levels(int variable) {
        return groups.keySet().stream()
                .map(levels -> levels.get(variable))
                .distinct()
                .sorted()
                .toList();
    }
}
