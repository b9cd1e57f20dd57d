package org.mipfed.core.smpc;

import static java.util.Objects.requireNonNull;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.mipfed.core.model.DataModel;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveResult;

/**
 * The primitives whose manager-side combination can be a plain sum over nodes, as flat vectors: a node
 * {@link #flatten}s its result before masking it, the manager {@link #unflatten}s the decoded sum into
 * one result that the flow combines as if one node had answered for all. Each such primitive has one
 * {@link SummableCodec}, registered here and nowhere else:
 *
 * <ul>
 *   <li>{@code glm_step} (logistic regression, glm): every field is a sum over rows.
 *   <li>{@code cross_products} (linear regression, correlation, PCA): sent raw and centred again by the manager.
 *   <li>{@code levels} (the design of nominal variables): one 0/1 presence flag per level the data model
 *       enumerates, so the manager learns how many nodes hold a level, not which.
 * </ul>
 * Histogram, moments, describe and k-means answers carry per-node suppression flags, groups present and
 * minima/maxima that a sum would hide or break: they are not summable.
 */
public final class SummableResults {
    /** Every codec, in the order error messages name them. */
    private static final List<SummableCodec> CODECS =
            List.of(new GlmStepCodec(), new CrossProductsCodec(), new LevelsCodec());

    private static final Map<PrimitiveQuery.PrimitiveCase, SummableCodec> BY_KIND =
            new EnumMap<>(CODECS.stream().collect(Collectors.toMap(SummableCodec::kind, codec -> codec)));

    private SummableResults() {}

    /** The codec of a kind of primitive, empty when its answers do not add up over nodes. */
    public static Optional<SummableCodec> codec(PrimitiveQuery.PrimitiveCase kind) {
        return Optional.ofNullable(BY_KIND.get(requireNonNull(kind, "kind is null")));
    }

    /** Whether {@code query} asks for a primitive that secure aggregation can sum. */
    public static boolean summable(PrimitiveQuery query) {
        return BY_KIND.containsKey(query.getPrimitiveCase());
    }

    /** How many numbers the answer to {@code query} flattens to. */
    public static int length(DataModel model, PrimitiveQuery query) {
        return requireCodec(query).length(model, query);
    }

    /** The answer's numbers, laid out as {@link #unflatten} reads them; rows_used first. */
    public static double[] flatten(DataModel model, PrimitiveQuery query, PrimitiveResult result) {
        SummableCodec codec = requireCodec(query);
        double[] out = new double[codec.length(model, query)];
        out[0] = result.getRowsUsed();
        codec.flatten(model, query, result, out);
        return out;
    }

    /** The result whose numbers are {@code sum} (the decoded sum of every node's flattened answer). */
    public static PrimitiveResult unflatten(DataModel model, PrimitiveQuery query, double[] sum) {
        SummableCodec codec = requireCodec(query);
        int expected = codec.length(model, query);
        if (sum.length != expected) {
            throw new IllegalArgumentException("a " + query.getPrimitiveCase() + " answer for this query sums "
                    + expected + " numbers, not " + sum.length);
        }
        PrimitiveResult.Builder out = PrimitiveResult.newBuilder().setRowsUsed(Math.round(sum[0]));
        codec.unflatten(model, query, sum, out);
        return out.build();
    }

    private static SummableCodec requireCodec(PrimitiveQuery query) {
        SummableCodec codec = BY_KIND.get(query.getPrimitiveCase());
        if (codec == null) {
            throw new IllegalArgumentException("secure aggregation cannot sum the primitive " + query.getPrimitiveCase()
                    + ": only "
                    + names(CODECS.stream()
                            .map(c -> c.kind().name().toLowerCase(Locale.ROOT))
                            .toList()) + " answers add up over nodes");
        }
        return codec;
    }

    /** "a, b and c". */
    private static String names(List<String> names) {
        return names.size() == 1
                ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
