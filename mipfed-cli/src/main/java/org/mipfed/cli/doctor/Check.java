package org.mipfed.cli.doctor;

import static java.util.Objects.requireNonNull;

/**
 * One line of {@code mipfed doctor}: what was checked, what was found, and, when it failed, what to do.
 *
 * @param fix what to do; null when the check passed
 */
public record Check(String name, boolean ok, String finding, String fix) {
    public Check {
        requireNonNull(name, "name is null");
        requireNonNull(finding, "finding is null");
        if (!ok) {
            requireNonNull(fix, "a failed check says what to do");
        }
    }

    public static Check ok(String name, String finding) {
        return new Check(name, true, finding, null);
    }

    public static Check fail(String name, String finding, String fix) {
        return new Check(name, false, finding, fix);
    }

    /** {@code OK   name: finding} or {@code FAIL name: finding. Fix: what to do}. */
    public String line() {
        return ok ? "OK   " + name + ": " + finding : "FAIL " + name + ": " + finding + ". Fix: " + fix;
    }
}
