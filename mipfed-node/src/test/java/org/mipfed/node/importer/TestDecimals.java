package org.mipfed.node.importer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TestDecimals {
    @Test
    void agreesWithJavaOnEveryValidNumber() {
        Random random = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            String text = switch (i % 5) {
                case 0 -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
                case 1 -> String.format("%." + random.nextInt(10) + "f", random.nextDouble() * 10_000 - 5_000);
                case 2 -> Long.toString(random.nextLong() >> random.nextInt(64));
                case 3 -> random.nextInt(1000) + "." + random.nextInt(100000) + "e" + (random.nextInt(60) - 30);
                default -> "0.000" + random.nextInt(1_000_000_000) + random.nextInt(1_000_000_000);
            };
            assertThat(parse(text)).as(text).isEqualTo(Double.parseDouble(text));
        }
    }

    @Test
    void acceptsThePlainForms() {
        assertThat(parse("83.0")).isEqualTo(83.0);
        assertThat(parse("-.5")).isEqualTo(-0.5);
        assertThat(parse("+5.")).isEqualTo(5.0);
        assertThat(parse("1E3")).isEqualTo(1000.0);
        assertThat(parse("-0")).isEqualTo(-0.0);
        assertThat(parse("1e999")).isInfinite();
        assertThat(parse("0.1")).isEqualTo(0.1);
        assertThat(parse("123456789012345678901234567890")).isEqualTo(1.2345678901234568e29);
    }

    @Test
    void refusesWhatJavaWouldButCsvShouldNotAccept() {
        for (String text : new String[] {
            "NaN",
            "Infinity",
            "-Infinity",
            "0x1p3",
            "1d",
            "1f",
            "",
            " ",
            "-",
            ".",
            "1e",
            "1e+",
            "1.2.3",
            "1,5",
            "1 000",
            "e5",
            "++1",
            "1x3"
        }) {
            assertThat(parse(text)).as(text).isNaN();
        }
    }

    @Test
    void parsesShortIntegers() {
        char[] chars = "-1234567".toCharArray();
        assertThat(Decimals.isShortInteger(chars, 0, chars.length)).isTrue();
        assertThat(Decimals.parseShortInteger(chars, 0, chars.length)).isEqualTo(-1234567);
        char[] big = "1234567890123456789".toCharArray();
        assertThat(Decimals.isShortInteger(big, 0, big.length)).isFalse();
        assertThat(Decimals.isShortInteger("-".toCharArray(), 0, 1)).isFalse();
        assertThat(Decimals.isShortInteger("8.0".toCharArray(), 0, 3)).isFalse();
    }

    private static double parse(String text) {
        char[] chars = ("#" + text + "#").toCharArray();
        return Decimals.parse(chars, 1, chars.length - 1);
    }
}
