package org.mipfed.manager.users;

import java.util.List;
import org.mipfed.core.problem.Problem;

/** The two roles: a researcher runs analyses and sees their own experiments; an admin also runs the federation. */
public final class Roles {
    public static final String RESEARCHER = "researcher";
    public static final String ADMIN = "admin";
    public static final List<String> ALL = List.of(RESEARCHER, ADMIN);

    private Roles() {}

    public static String check(String role) {
        if (role == null || !ALL.contains(role)) {
            throw Problem.badRequest("Unknown role '" + role + "': a user is either \"researcher\" or \"admin\"");
        }
        return role;
    }
}
