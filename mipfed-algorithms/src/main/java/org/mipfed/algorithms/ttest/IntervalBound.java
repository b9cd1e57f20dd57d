package org.mipfed.algorithms.ttest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Writes a confidence interval's bound as Exareme2 does: a number, or for a one-sided interval's open end the string
 * {@code "Infinity"} or {@code "-Infinity"} (JSON has no infinite number, and a portal reads these strings); NaN, as
 * every undefined figure, as null.
 */
final class IntervalBound extends StdSerializer<Double> {
    private static final long serialVersionUID = 1L;

    IntervalBound() {
        super(Double.class);
    }

    @Override
    public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
        if (value.isInfinite()) {
            out.writeString(value > 0 ? "Infinity" : "-Infinity");
        } else if (value.isNaN()) {
            out.writeNull();
        } else {
            out.writeNumber(value);
        }
    }
}
