package org.mipfed.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A common data element: one variable of a data model.
 *
 * @param enumerations level code to label, in the data model's order (empty for numerical variables)
 * @param min lower bound of a numerical variable, or null
 * @param max upper bound of a numerical variable, or null
 * @param group the labels of the groups that contain the variable, outermost first, joined by " / "
 */
public record Cde(
        String code,
        String label,
        String description,
        SqlType sqlType,
        boolean categorical,
        Map<String, String> enumerations,
        Double min,
        Double max,
        String units,
        String group) {
    public Cde {
        requireNonNull(code, "code is null");
        requireNonNull(sqlType, "sqlType is null");
        enumerations = Collections.unmodifiableMap(new LinkedHashMap<>(enumerations));
    }

    public boolean numerical() {
        return !categorical && sqlType != SqlType.TEXT;
    }
}
