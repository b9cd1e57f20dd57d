package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;

/**
 * Who acts on a request: a user name, that user's role, and how the request proved it.
 * {@link org.mipfed.manager.api.RestApi} puts it on the Javalin context as attribute {@value #ATTRIBUTE}.
 *
 * @param role {@link Roles#RESEARCHER} or {@link Roles#ADMIN}
 * @param via {@code session} (the sign-in cookie) or {@code token} (a bearer token)
 */
public record Principal(String username, String role, String via) {
    public static final String ATTRIBUTE = "principal";
    public static final String SESSION = "session";
    public static final String TOKEN = "token";

    public Principal {
        requireNonNull(username, "username is null");
        requireNonNull(role, "role is null");
        requireNonNull(via, "via is null");
    }

    /** The principal of an authenticated request; a request that reached a handler without one is the server's fault. */
    public static Principal of(Context ctx) {
        Principal principal = ctx.attribute(ATTRIBUTE);
        if (principal == null) {
            throw new Problem(
                    ProblemType.UNAUTHORIZED,
                    "Sign in first (POST /auth/login), or send an API token as 'Authorization: Bearer <token>'.");
        }
        return principal;
    }

    public boolean admin() {
        return Roles.ADMIN.equals(role);
    }
}
