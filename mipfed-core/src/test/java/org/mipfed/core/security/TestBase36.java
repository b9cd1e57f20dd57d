package org.mipfed.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestBase36 {
    @Test
    void drawsEveryCharacterOfTheAlphabet() {
        Map<Character, Integer> counts = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String text = Base36.random(25);
            assertThat(text).matches("[0-9a-z]{25}");
            for (char c : text.toCharArray()) {
                counts.merge(c, 1, Integer::sum);
            }
        }
        // 50,000 draws, about 1,389 per character: far from 1,000 only if the draw is broken
        assertThat(counts).hasSize(36);
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(1000, 1800));
    }

    @Test
    void recognisesItsOwnShape() {
        assertThat(Base36.isBase36("abc123", 6)).isTrue();
        assertThat(Base36.isBase36("abc123", 5)).isFalse();
        assertThat(Base36.isBase36("ABC123", 6)).isFalse();
        assertThat(Base36.isBase36("abc-12", 6)).isFalse();
        assertThatThrownBy(() -> Base36.random(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
