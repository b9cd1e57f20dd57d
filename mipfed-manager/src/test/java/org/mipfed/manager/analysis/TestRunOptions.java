package org.mipfed.manager.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class TestRunOptions {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode flags(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @Test
    void smpcIsABooleanFlag() throws Exception {
        assertThat(RunOptions.of(flags("{\"smpc\": true}")).smpc()).isTrue();
        assertThat(RunOptions.of(flags("{}")).smpc()).isFalse();
        assertThatThrownBy(() -> RunOptions.of(flags("{\"smpc\": \"yes\"}")))
                .hasMessage("flags.smpc must be true or false");
        assertThat(RunOptions.of(flags("{\"smpc\": false}")).smpc()).isFalse();
    }
}
