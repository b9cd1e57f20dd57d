package org.mipfed.manager.users;

import java.util.List;
import org.mipfed.core.problem.Problem;

/**
 * The roles: a researcher runs analyses and sees their own experiments; an admin also runs the federation; a
 * {@code metrics} account (Prometheus' bearer token) reads {@code GET /metrics} and nothing else.
 */
public final class Roles {
    public static final String RESEARCHER = "researcher";
    public static final String ADMIN = "admin";
    public static final String METRICS = "metrics";
    public static final List<String> ALL = List.of(RESEARCHER, ADMIN, METRICS);

    private Roles() {}

    public static String check(String role) {
        if (role == null || !ALL.contains(role)) {
            throw Problem.badRequest("Unknown role '" + role
                    + "': a user is \"researcher\", \"admin\" or \"metrics\" (reads GET /metrics only)");
        }
        return role;
    }
}
