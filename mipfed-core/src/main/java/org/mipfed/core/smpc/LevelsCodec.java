package org.mipfed.core.smpc;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.mipfed.core.model.Cde;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.LevelsResult;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.VariableLevels;

/**
 * {@code levels} (the design of nominal variables): one 0/1 presence flag per level the data model enumerates, so
 * the manager learns how many nodes hold a level, not which.
 */
final class LevelsCodec implements SummableCodec {
    @Override
    public PrimitiveQuery.PrimitiveCase kind() {
        return PrimitiveQuery.PrimitiveCase.LEVELS;
    }

    @Override
    public int length(DataModel model, PrimitiveQuery query) {
        int n = 1;
        for (String variable : query.getLevels().getNominalList()) {
            n += enumerations(model, variable).size();
        }
        return n;
    }

    @Override
    public void flatten(DataModel model, PrimitiveQuery query, PrimitiveResult result, double[] out) {
        int k = 1;
        for (String variable : query.getLevels().getNominalList()) {
            List<String> levels = enumerations(model, variable);
            Set<String> present = new HashSet<>();
            for (VariableLevels v : result.getLevels().getVariablesList()) {
                if (v.getVariable().equals(variable)) {
                    present.addAll(v.getLevelsList());
                }
            }
            if (!levels.containsAll(present)) {
                present.removeAll(levels);
                throw new IllegalArgumentException(
                        "variable " + variable + " holds levels the data model does not enumerate: " + present);
            }
            for (String level : levels) {
                out[k++] = present.contains(level) ? 1 : 0;
            }
        }
    }

    @Override
    public void unflatten(DataModel model, PrimitiveQuery query, double[] sum, PrimitiveResult.Builder out) {
        LevelsResult.Builder levels = LevelsResult.newBuilder();
        int k = 1;
        for (String variable : query.getLevels().getNominalList()) {
            List<String> present = new ArrayList<>();
            for (String level : enumerations(model, variable)) {
                if (sum[k++] >= 0.5) {
                    present.add(level);
                }
            }
            present.sort(null); // code point order, as a node lists them
            levels.addVariables(
                    VariableLevels.newBuilder().setVariable(variable).addAllLevels(present));
        }
        out.setLevels(levels);
    }

    private static List<String> enumerations(DataModel model, String variable) {
        Cde cde = requireNonNull(model, "model is null").cde(variable);
        if (cde == null || !cde.categorical()) {
            throw new IllegalArgumentException("'" + variable + "' is no nominal variable of data model " + model.id());
        }
        return new ArrayList<>(cde.enumerations().keySet());
    }
}
