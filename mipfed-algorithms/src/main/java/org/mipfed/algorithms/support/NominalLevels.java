package org.mipfed.algorithms.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.mipfed.algorithms.spi.FederationContext;
import org.mipfed.algorithms.spi.NodeAnswer;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.proto.v1.LevelsQuery;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.VariableLevels;

/**
 * The levels of nominal variables present in the selected rows of all nodes: what dummy coding is
 * built on, so that every node uses the same design (the reference level is the first, in code point
 * order, as patsy does for Exareme2).
 */
public final class NominalLevels {
    private NominalLevels() {}

    /** The levels of each nominal variable present in the rows complete in {@code completeIn}, over all nodes, sorted. */
    public static Map<String, List<String>> present(
            FederationContext federation, List<String> nominal, List<String> completeIn) {
        Map<String, TreeSet<String>> union = new LinkedHashMap<>();
        nominal.forEach(variable -> union.put(variable, new TreeSet<>()));
        List<NodeAnswer> answers = federation.compute(PrimitiveQuery.newBuilder()
                .setLevels(LevelsQuery.newBuilder().addAllNominal(nominal).addAllCompleteIn(completeIn)));
        for (NodeAnswer answer : answers) {
            for (VariableLevels levels : answer.result().getLevels().getVariablesList()) {
                TreeSet<String> set = union.get(levels.getVariable());
                if (set == null) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "The node " + answer.node() + " returned levels of '" + levels.getVariable()
                                    + "', which was not asked for");
                }
                // TreeSet<String> sorts by String.compareTo: code point order for these codes, like patsy.
                set.addAll(levels.getLevelsList());
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        union.forEach((variable, set) -> out.put(variable, new ArrayList<>(set)));
        return out;
    }
}
