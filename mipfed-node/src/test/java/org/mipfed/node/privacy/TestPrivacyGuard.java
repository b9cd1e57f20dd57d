package org.mipfed.node.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.mipfed.proto.v1.NumericalSummary;
import org.mipfed.proto.v1.VariableSummary;

class TestPrivacyGuard {
    private final PrivacyGuard guard = new PrivacyGuard(PrivacyPolicy.DEFAULT);

    @Test
    void policyDefaultsToTenRowsAndRefusesLessThanOne() {
        assertThat(PrivacyPolicy.DEFAULT.minRows()).isEqualTo(10);
        assertThat(new PrivacyPolicy(3).toProto().getMinRows()).isEqualTo(3);
        assertThatThrownBy(() -> new PrivacyPolicy(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The minimum number of rows must be at least 1, not 0");
    }

    @Test
    void suppressesSummariesOfTooFewRowsOrValues() {
        VariableSummary summary = VariableSummary.newBuilder().setVariable("x").setDataset("d").setNumTotal(12).setNumDtps(10)
                .setNumNa(2).setNumerical(NumericalSummary.newBuilder().setMean(1).setMin(0).setMax(2)).build();
        assertThat(guard.guard(summary)).isSameAs(summary);
        VariableSummary suppressed = VariableSummary.newBuilder().setVariable("x").setDataset("d").setSuppressed(true).build();
        assertThat(guard.guard(summary.toBuilder().setNumDtps(9).setNumNa(3).build())).isEqualTo(suppressed);
        assertThat(guard.guard(summary.toBuilder().setNumTotal(9).build())).isEqualTo(suppressed);
        assertThat(guard.guard(summary.toBuilder().putCounts("M", 1).setNumTotal(5).build())).isEqualTo(suppressed);
    }

    @Test
    void allowsNoRowsOrEnoughRowsOnly() {
        assertThat(guard.checkRows(0, "rows")).isEmpty();
        assertThat(guard.checkRows(10, "rows")).isEmpty();
        assertThat(guard.checkRows(9, "rows complete in x")).hasValueSatisfying(v -> {
            assertThat(v.rule()).isEqualTo("min_rows");
            assertThat(v.message()).isEqualTo("Only 9 rows complete in x on this node, fewer than the 10 its privacy policy requires "
                    + "(rule min_rows); widen the filters, choose variables with fewer missing values, or leave this node's datasets out");
        });
        assertThat(new PrivacyGuard(new PrivacyPolicy(1)).checkRows(1, "rows")).isEmpty();
    }
}
