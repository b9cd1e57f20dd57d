package org.mipfed.node.primitive;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mipfed.core.smpc.SummableResults;
import org.mipfed.proto.v1.PrimitiveQuery;

/**
 * The registry knows every kind of primitive the wire contract has: a new case of {@code PrimitiveQuery.primitive}
 * without a registered {@link Primitive} fails here, not on a hospital's node at its first request.
 */
class TestPrimitives {
    private static final List<PrimitiveQuery.PrimitiveCase> KINDS = Arrays.stream(PrimitiveQuery.PrimitiveCase.values())
            .filter(kind -> kind != PrimitiveQuery.PrimitiveCase.PRIMITIVE_NOT_SET)
            .toList();

    @Test
    void everyKindOfTheProtoHasExactlyOneRegisteredPrimitive() {
        assertThat(KINDS).isNotEmpty();
        assertThat(Primitives.ALL).extracting(Primitive::kind).containsExactlyInAnyOrderElementsOf(KINDS);
    }

    @Test
    void eachPrimitiveReadsItsOwnPartOfTheRequestAndIsNamedAsTheProtoField() {
        for (PrimitiveQuery.PrimitiveCase kind : KINDS) {
            FieldDescriptor field = PrimitiveQuery.getDescriptor().findFieldByNumber(kind.getNumber());
            Message part = marked(PrimitiveQuery.newBuilder().newBuilderForField(field));
            PrimitiveQuery query =
                    PrimitiveQuery.newBuilder().setField(field, part).build();
            Primitive<?> primitive = Primitives.of(query).orElseThrow();
            assertThat(primitive.kind()).isEqualTo(kind);
            assertThat(primitive.name()).isEqualTo(field.getName());
            assertThat((Object) primitive.query(query)).isEqualTo(part);
        }
    }

    @Test
    void aRequestWithoutAPrimitiveHasNone() {
        assertThat(Primitives.of(PrimitiveQuery.getDefaultInstance())).isEmpty();
        assertThat(Primitives.name(PrimitiveQuery.getDefaultInstance())).isEqualTo("none");
        assertThat(Primitives.variables(PrimitiveQuery.getDefaultInstance())).isEmpty();
    }

    @Test
    void theRefusalOfARequestWithoutAPrimitiveListsThemAsBefore() {
        assertThat(Primitives.names())
                .isEqualTo("describe, levels, cross_products, moments, glm_step, histogram, kmeans_step, "
                        + "survival_counts, cox_step, model_score, class_summary and quantile_counts");
    }

    @Test
    void onlyDescribeChecksItsSelectionPerDataset() {
        assertThat(Primitives.ALL)
                .filteredOn(Primitive::perDataset)
                .extracting(Primitive::kind)
                .containsExactly(PrimitiveQuery.PrimitiveCase.DESCRIBE);
    }

    @Test
    void everySummableKindIsOneTheNodeComputes() {
        List<PrimitiveQuery.PrimitiveCase> summable = KINDS.stream()
                .filter(kind -> SummableResults.codec(kind).isPresent())
                .toList();
        assertThat(summable)
                .containsExactlyInAnyOrder(
                        PrimitiveQuery.PrimitiveCase.GLM_STEP,
                        PrimitiveQuery.PrimitiveCase.CROSS_PRODUCTS,
                        PrimitiveQuery.PrimitiveCase.LEVELS);
        summable.forEach(kind ->
                assertThat(SummableResults.codec(kind).orElseThrow().kind()).isEqualTo(kind));
    }

    /** The part with a string set, so that it differs from its default and a primitive reading another part is caught. */
    private static Message marked(Message.Builder part) {
        FieldDescriptor text = part.getDescriptorForType().getFields().stream()
                .filter(f -> f.getType() == FieldDescriptor.Type.STRING)
                .findFirst()
                .orElseThrow(() ->
                        new AssertionError(part.getDescriptorForType().getName() + " has no string field to mark"));
        return (text.isRepeated() ? part.addRepeatedField(text, "marker") : part.setField(text, "marker")).build();
    }
}
