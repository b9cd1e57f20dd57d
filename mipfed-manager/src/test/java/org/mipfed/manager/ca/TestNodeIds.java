package org.mipfed.manager.ca;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TestNodeIds {
    @Test
    void areTwentyFiveRandomBase36Characters() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String id = NodeIds.newId();
            assertThat(id).matches("[0-9a-z]{25}");
            ids.add(id);
        }
        assertThat(ids).hasSize(1000);
    }
}
