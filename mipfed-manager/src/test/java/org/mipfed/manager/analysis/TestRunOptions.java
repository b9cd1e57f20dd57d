package org.mipfed.manager.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.mipfed.core.problem.Problem;

class TestRunOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode flags(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void smpcIsRefusedRatherThanSilentlyIgnored() throws Exception {
        assertThatThrownBy(() -> RunOptions.of(flags("{\"smpc\": true}")))
                .isInstanceOfSatisfying(Problem.class, p -> assertThat(p.status()).isEqualTo(400))
                .hasMessageContaining("flags.smpc: secure aggregation is not available");
        assertThatThrownBy(() -> RunOptions.of(flags("{\"smpc\": \"yes\"}"))).hasMessage("flags.smpc must be true or false");
        assertThat(RunOptions.of(flags("{\"smpc\": false}")).allowPartial()).isFalse();
    }
}
