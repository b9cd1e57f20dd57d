package org.mipfed.core.model;

import java.util.Locale;

/** The storage type of a CDE, as written in a data model's {@code sql_type}. */
public enum SqlType {
    INT,
    REAL,
    TEXT;

    public static SqlType parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
