package org.mipfed.manager.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.json.Json;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.experiments.Experiment;
import org.mipfed.manager.experiments.ExperimentStore;
import org.mipfed.manager.state.ManagerPaths;

/**
 * Users, sign-in, sessions, CSRF, roles and API tokens against a real manager (init + start, Javalin on loopback),
 * called with java.net.http as a browser or a script would.
 */
class TestSignIn {
    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path dir;

    private ManagerPaths paths;
    private ManagerServer manager;
    private ApiClient api;
    private String adminPassword;

    @BeforeEach
    void start() {
        paths = new ManagerPaths(dir.resolve("manager"));
        adminPassword =
                FederationInit.init(paths, "127.0.0.1", 0, 0, "127.0.0.1").adminPassword();
        manager = ManagerServer.start(paths, 0, 0);
        api = ApiClient.plain(manager.httpPort());
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    @Test
    void initCreatesTheAdminWithAGeneratedPasswordStoredOnlyAsAnArgon2idHash() throws Exception {
        assertThat(Files.readString(paths.adminPassword()).trim())
                .isEqualTo(adminPassword)
                .hasSizeGreaterThanOrEqualTo(20);
        String users = Files.readString(paths.users());
        assertThat(users).doesNotContain(adminPassword).contains("$argon2id$v=19$m=19456,t=2,p=1$");
        assertThat(Files.getPosixFilePermissions(paths.users()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(paths.adminPassword()))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        ApiClient.Browser admin = api.login("admin", adminPassword);
        assertThat(api.send(
                                "POST",
                                "/admin/users",
                                Map.of("username", "alice", "password", PASSWORD, "role", "researcher"),
                                admin.headers())
                        .statusCode())
                .isEqualTo(201);
        assertThat(Files.readString(paths.users())).contains("alice").doesNotContain(PASSWORD);
    }

    @Test
    void signInSetsAStrictHttpOnlySessionCookie() {
        HttpResponse<String> response =
                api.send("POST", "/auth/login", Map.of("username", "admin", "password", adminPassword));
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = ApiClient.json(response);
        assertThat(body.path("username").asText()).isEqualTo("admin");
        assertThat(body.path("role").asText()).isEqualTo("admin");
        assertThat(body.path("csrf_token").asText()).hasSizeGreaterThanOrEqualTo(40);
        String cookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie)
                .matches("mipfed_session=[A-Za-z0-9_-]{43}; .*")
                .contains("HttpOnly", "SameSite=Strict", "Path=/")
                .doesNotContain("Secure");

        String session = cookie.substring(0, cookie.indexOf(';'));
        JsonNode me = ApiClient.json(api.send("GET", "/auth/me", null, "Cookie", session));
        assertThat(me.path("username").asText()).isEqualTo("admin");
        assertThat(me.path("auth").asText()).isEqualTo("session");
        assertThat(me.path("csrf_token").asText())
                .isEqualTo(body.path("csrf_token").asText());

        HttpResponse<String> logout = api.send(
                "POST",
                "/auth/logout",
                null,
                "Cookie",
                session,
                "X-CSRF-Token",
                body.path("csrf_token").asText());
        assertThat(logout.statusCode()).isEqualTo(204);
        assertThat(logout.headers().firstValue("Set-Cookie").orElseThrow())
                .startsWith("mipfed_session=;")
                .contains("Max-Age=0");
        assertThat(api.send("GET", "/auth/me", null, "Cookie", session).statusCode())
                .isEqualTo(401);
    }

    @Test
    void aWrongPasswordOrUnknownUserIsRefusedWithTheSameMessage() {
        for (Map<String, String> attempt : List.of(
                Map.of("username", "admin", "password", "wrong password!"),
                Map.of("username", "nobody", "password", adminPassword))) {
            HttpResponse<String> response = api.send("POST", "/auth/login", attempt);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                    .startsWith("application/problem+json");
            assertThat(ApiClient.json(response).path("detail").asText()).isEqualTo("Wrong user name or password.");
            assertThat(response.headers().firstValue("Set-Cookie")).isEmpty();
        }
        assertThat(api.send("GET", "/auth/me", null).statusCode()).isEqualTo(401);
        assertThat(api.send("GET", "/datasets", null).statusCode()).isEqualTo(401);
    }

    @Test
    void afterFiveFailuresTheNameWaitsFromThatAddressOnlyAndTheWaitEndsByItself() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(api.send("POST", "/auth/login", Map.of("username", "admin", "password", "guess number " + i))
                            .statusCode())
                    .isEqualTo(401);
        }
        HttpResponse<String> blocked =
                api.send("POST", "/auth/login", Map.of("username", "admin", "password", adminPassword));
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("Retry-After")).contains("1");
        assertThat(ApiClient.json(blocked).path("detail").asText())
                .contains("too many wrong passwords for this user name from your address");
        // other names from the same address are not blocked by one name's failures
        assertThat(api.send("POST", "/auth/login", Map.of("username", "someone", "password", "whatever it is"))
                        .statusCode())
                .isEqualTo(401);
        // the admin token still works: scripts and the CLI are not locked out
        assertThat(api.send("GET", "/admin/users", null, "Authorization", "Bearer " + FederationInit.adminToken(paths))
                        .statusCode())
                .isEqualTo(200);
        Thread.sleep(1100);
        assertThat(api.send("POST", "/auth/login", Map.of("username", "admin", "password", adminPassword))
                        .statusCode())
                .isEqualTo(200);
        JsonNode lockout = ApiClient.json(api.send(
                "GET", "/admin/audit?limit=20", null, "Authorization", "Bearer " + FederationInit.adminToken(paths)));
        assertThat(lockout.toString())
                .contains("sign_in.lockout", "\"username\":\"admin\"", "\"address\":\"127.0.0.1\"", "\"failures\":5");
    }

    @Test
    void aSignedInChangeNeedsTheCsrfTokenAndTheManagersOwnOrigin() {
        ApiClient.Browser admin = api.login("admin", adminPassword);
        Map<String, String> alice = Map.of("username", "alice", "password", PASSWORD, "role", "researcher");

        HttpResponse<String> noToken = api.send("POST", "/admin/users", alice, "Cookie", admin.cookie());
        assertThat(noToken.statusCode()).isEqualTo(403);
        assertThat(ApiClient.json(noToken).path("detail").asText()).contains("X-CSRF-Token");

        HttpResponse<String> wrongToken =
                api.send("POST", "/admin/users", alice, "Cookie", admin.cookie(), "X-CSRF-Token", "not-the-token");
        assertThat(wrongToken.statusCode()).isEqualTo(403);

        HttpResponse<String> foreign =
                api.send("POST", "/admin/users", alice, admin.headers("Origin", "https://evil.example"));
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(ApiClient.json(foreign).path("detail").asText()).contains("another site", "https://evil.example");
        assertThat(api.send("GET", "/admin/users", null, "Authorization", "Bearer " + FederationInit.adminToken(paths))
                        .body())
                .doesNotContain("alice");

        HttpResponse<String> ok = api.send("POST", "/admin/users", alice, admin.headers("Origin", api.base()));
        assertThat(ok.statusCode()).isEqualTo(201);
        // reads need no CSRF token; bearer requests need none either
        assertThat(api.send("GET", "/admin/users", null, "Cookie", admin.cookie())
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.send(
                                "PATCH",
                                "/admin/users/alice",
                                Map.of("disabled", true),
                                "Authorization",
                                "Bearer " + FederationInit.adminToken(paths))
                        .statusCode())
                .isEqualTo(200);
        // a cross-site sign-in is refused as well
        assertThat(api.send(
                                "POST",
                                "/auth/login",
                                Map.of("username", "admin", "password", adminPassword),
                                "Origin",
                                "https://evil.example")
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void aResearcherGets403OnEveryAdminEndpoint() {
        ApiClient.Browser admin = api.login("admin", adminPassword);
        api.send(
                "POST",
                "/admin/users",
                Map.of("username", "alice", "password", PASSWORD, "role", "researcher"),
                admin.headers());
        ApiClient.Browser alice = api.login("alice", PASSWORD);
        String aliceToken = ApiClient.json(api.send("POST", "/auth/tokens", Map.of("name", "script"), alice.headers()))
                .path("token")
                .asText();

        String workerToken = ApiClient.json(api.send("GET", "/admin/join-tokens/worker", null, admin.headers()))
                .path("token")
                .asText();
        List<String> adminEndpoints = manager.api().endpoints().stream()
                .filter(e -> e.contains(" /admin/") || e.endsWith(" /metrics"))
                .toList();
        assertThat(adminEndpoints)
                .contains(
                        "GET /admin/users",
                        "POST /admin/users",
                        "PATCH /admin/users/{username}",
                        "DELETE /admin/users/{username}",
                        "GET /admin/tokens",
                        "DELETE /admin/tokens/{id}",
                        "GET /admin/nodes",
                        "POST /admin/start",
                        "POST /admin/join-tokens/{role}/rotate");
        List<String> notRefused = new ArrayList<>();
        for (String endpoint : adminEndpoints) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String path = endpoint.substring(endpoint.indexOf(' ') + 1).replaceAll("\\{[^}]+}", "worker");
            for (String[] as : List.of(alice.headers(), new String[] {"Authorization", "Bearer " + aliceToken})) {
                HttpResponse<String> response =
                        api.send(method, path, method.equals("GET") || method.equals("DELETE") ? null : "{}", as);
                // /metrics is also open to the metrics role, and says so
                String needs = path.equals("/metrics") ? "needs the metrics or the admin role" : "needs the admin role";
                if (response.statusCode() != 403
                        || !ApiClient.json(response).path("detail").asText().contains(needs)) {
                    notRefused.add(endpoint + " -> " + response.statusCode());
                }
            }
        }
        assertThat(notRefused).isEmpty();
        // and nothing changed
        assertThat(ApiClient.json(api.send("GET", "/admin/users", null, admin.headers())))
                .hasSize(2);
        assertThat(ApiClient.json(api.send("GET", "/admin/join-tokens/worker", null, admin.headers()))
                        .path("token")
                        .asText())
                .isEqualTo(workerToken);
    }

    @Test
    void experimentsBelongToWhoRanThem() {
        ApiClient.Browser admin = api.login("admin", adminPassword);
        api.send("POST", "/admin/users", Map.of("username", "alice", "password", PASSWORD), admin.headers());
        api.send("POST", "/admin/users", Map.of("username", "bob", "password", PASSWORD), admin.headers());
        ExperimentStore store = new ExperimentStore(paths.experiments());
        Experiment alices = Experiment.pending(
                "00000000-0000-0000-0000-00000000000a",
                "descriptive_stats",
                "alice",
                Json.mapper().createObjectNode());
        Experiment bobs = Experiment.pending(
                "00000000-0000-0000-0000-00000000000b",
                "descriptive_stats",
                "bob",
                Json.mapper().createObjectNode());
        store.save(alices);
        store.save(bobs);

        ApiClient.Browser alice = api.login("alice", PASSWORD);
        assertThat(ids(api.send("GET", "/experiments", null, alice.headers()))).containsExactly(alices.id());
        HttpResponse<String> all = api.send("GET", "/experiments?all=true", null, alice.headers());
        assertThat(all.statusCode()).isEqualTo(403);
        assertThat(ids(api.send("GET", "/experiments?all=true", null, admin.headers())))
                .containsExactlyInAnyOrder(alices.id(), bobs.id());
        assertThat(ids(api.send("GET", "/experiments", null, admin.headers()))).isEmpty();

        // readable by anyone signed in (a shared link), deletable only by its owner or an admin
        assertThat(api.send("GET", "/experiments/" + bobs.id(), null, alice.headers())
                        .statusCode())
                .isEqualTo(200);
        HttpResponse<String> refused = api.send("DELETE", "/experiments/" + bobs.id(), null, alice.headers());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(ApiClient.json(refused).path("detail").asText()).contains("belongs to bob");
        assertThat(store.get(bobs.id())).isPresent();
        assertThat(api.send("DELETE", "/experiments/" + alices.id(), null, alice.headers())
                        .statusCode())
                .isEqualTo(204);
        assertThat(api.send("DELETE", "/experiments/" + bobs.id(), null, admin.headers())
                        .statusCode())
                .isEqualTo(204);
        assertThat(store.list()).isEmpty();
    }

    @Test
    void experimentsAreNamedRenamedAndCancelledOnlyByTheirOwnerOrAnAdmin() {
        ApiClient.Browser admin = api.login("admin", adminPassword);
        api.send("POST", "/admin/users", Map.of("username", "alice", "password", PASSWORD), admin.headers());
        api.send("POST", "/admin/users", Map.of("username", "bob", "password", PASSWORD), admin.headers());
        ExperimentStore store = new ExperimentStore(paths.experiments());
        Experiment alices = Experiment.pending(
                "00000000-0000-0000-0000-00000000000c",
                "descriptive_stats",
                "alice",
                Json.mapper().createObjectNode());
        store.save(alices);
        String path = "/experiments/" + alices.id();
        ApiClient.Browser alice = api.login("alice", PASSWORD);
        ApiClient.Browser bob = api.login("bob", PASSWORD);

        HttpResponse<String> refused = api.send("PATCH", path, Map.of("name", "mine now"), bob.headers());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(ApiClient.json(refused).path("detail").asText()).contains("belongs to alice", "rename");
        HttpResponse<String> tooLong = api.send("PATCH", path, Map.of("name", "x".repeat(201)), alice.headers());
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(tooLong).path("detail").asText()).contains("at most 200 characters");
        HttpResponse<String> renamed =
                api.send("PATCH", path, Map.of("name", "  Hippocampus, over 60s "), alice.headers());
        assertThat(renamed.statusCode()).isEqualTo(200);
        assertThat(ApiClient.json(renamed).path("name").asText()).isEqualTo("Hippocampus, over 60s");
        assertThat(ApiClient.json(api.send("GET", "/experiments", null, alice.headers()))
                        .get(0)
                        .path("name")
                        .asText())
                .isEqualTo("Hippocampus, over 60s");

        assertThat(api.send("POST", path + "/cancel", null, bob.headers()).statusCode())
                .isEqualTo(403);
        HttpResponse<String> cancelled = api.send("POST", path + "/cancel", null, alice.headers());
        assertThat(cancelled.statusCode()).isEqualTo(200);
        assertThat(ApiClient.json(cancelled).path("status").asText()).isEqualTo("cancelled");
        assertThat(ApiClient.json(cancelled).path("error").path("detail").asText())
                .isEqualTo("Cancelled by alice before it finished.");
        assertThat(store.get(alices.id()).orElseThrow().status()).isEqualTo(Experiment.CANCELLED);
        assertThat(store.get(alices.id()).orElseThrow().name()).isEqualTo("Hippocampus, over 60s");
        HttpResponse<String> again = api.send("POST", path + "/cancel", null, admin.headers());
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(ApiClient.json(again).path("detail").asText()).contains("already finished (cancelled)");
    }

    @Test
    void apiTokensActAsTheirUserUntilRevoked() {
        ApiClient.Browser admin = api.login("admin", adminPassword);
        api.send("POST", "/admin/users", Map.of("username", "alice", "password", PASSWORD), admin.headers());
        ApiClient.Browser alice = api.login("alice", PASSWORD);

        HttpResponse<String> created =
                api.send("POST", "/auth/tokens", Map.of("name", "nightly report"), alice.headers());
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode token = ApiClient.json(created);
        String secret = token.path("token").asText();
        assertThat(secret).startsWith("mipfed-api-");
        assertThat(api.send("GET", "/auth/tokens", null, alice.headers()).body())
                .contains("nightly report")
                .doesNotContain(secret);

        JsonNode me = ApiClient.json(api.send("GET", "/auth/me", null, "Authorization", "Bearer " + secret));
        assertThat(me.path("username").asText()).isEqualTo("alice");
        assertThat(me.path("role").asText()).isEqualTo("researcher");
        assertThat(me.path("auth").asText()).isEqualTo("token");
        assertThat(me.path("csrf_token").isNull()).isTrue();
        // a bearer request needs no CSRF token, and is as strong as its user: not admin
        assertThat(api.send("POST", "/auth/tokens", Map.of("name", "second"), "Authorization", "Bearer " + secret)
                        .statusCode())
                .isEqualTo(201);
        assertThat(api.send("GET", "/admin/users", null, "Authorization", "Bearer " + secret)
                        .statusCode())
                .isEqualTo(403);
        JsonNode listed = ApiClient.json(api.send("GET", "/auth/tokens", null, "Authorization", "Bearer " + secret));
        assertThat(listed.get(0).path("last_used").isTextual()).isTrue();
        assertThat(ApiClient.json(api.send("GET", "/admin/tokens", null, admin.headers())))
                .hasSize(2);
        assertThat(readUsersFile()).doesNotContain(secret).contains(sha256(secret));

        // bob cannot revoke alice's token; alice can
        api.send("POST", "/admin/users", Map.of("username", "bob", "password", PASSWORD), admin.headers());
        ApiClient.Browser bob = api.login("bob", PASSWORD);
        assertThat(api.send("DELETE", "/auth/tokens/" + token.path("id").asText(), null, bob.headers())
                        .statusCode())
                .isEqualTo(404);
        assertThat(api.send("DELETE", "/auth/tokens/" + token.path("id").asText(), null, alice.headers())
                        .statusCode())
                .isEqualTo(204);
        HttpResponse<String> revoked = api.send("GET", "/auth/me", null, "Authorization", "Bearer " + secret);
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(revoked.headers().firstValue("WWW-Authenticate")).contains("Bearer");

        // a disabled user's token stops working too
        String other = ApiClient.json(api.send("POST", "/auth/tokens", Map.of("name", "third"), alice.headers()))
                .path("token")
                .asText();
        assertThat(api.send("GET", "/auth/me", null, "Authorization", "Bearer " + other)
                        .statusCode())
                .isEqualTo(200);
        api.send("PATCH", "/admin/users/alice", Map.of("disabled", true), admin.headers());
        assertThat(api.send("GET", "/auth/me", null, "Authorization", "Bearer " + other)
                        .statusCode())
                .isEqualTo(401);
        assertThat(api.send("GET", "/auth/me", null, alice.headers()).statusCode())
                .isEqualTo(401);
    }

    @Test
    void theLastAdminCanBeNeitherRemovedNorDemotedNorDisabled() {
        ApiClient.Browser admin = api.login("admin", adminPassword);
        for (HttpResponse<String> refused : List.of(
                api.send("DELETE", "/admin/users/admin", null, admin.headers()),
                api.send("PATCH", "/admin/users/admin", Map.of("role", "researcher"), admin.headers()),
                api.send("PATCH", "/admin/users/admin", Map.of("disabled", true), admin.headers()))) {
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(ApiClient.json(refused).path("detail").asText()).contains("last active admin");
        }
        api.send(
                "POST",
                "/admin/users",
                Map.of("username", "carol", "password", PASSWORD, "role", "admin"),
                admin.headers());
        assertThat(api.send("PATCH", "/admin/users/admin", Map.of("role", "researcher"), admin.headers())
                        .statusCode())
                .isEqualTo(200);
        // admin is a researcher now: its session no longer reaches /admin
        assertThat(api.send("GET", "/admin/users", null, admin.headers()).statusCode())
                .isEqualTo(403);
        ApiClient.Browser carol = api.login("carol", PASSWORD);
        assertThat(api.send("DELETE", "/admin/users/carol", null, carol.headers())
                        .statusCode())
                .isEqualTo(409);
        assertThat(api.send("DELETE", "/admin/users/admin", null, carol.headers())
                        .statusCode())
                .isEqualTo(204);
        assertThat(ApiClient.json(api.send("GET", "/admin/users", null, carol.headers())))
                .hasSize(1);
    }

    @Test
    void usersAreCheckedWhenCreatedAndPasswordsChangedByTheirOwner() {
        ApiClient.Browser admin = api.login("admin", adminPassword);
        HttpResponse<String> shortPassword =
                api.send("POST", "/admin/users", Map.of("username", "dave", "password", "short"), admin.headers());
        assertThat(shortPassword.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(shortPassword).path("detail").asText()).contains("at least 12 characters");
        assertThat(api.send(
                                "POST",
                                "/admin/users",
                                Map.of("username", "no spaces", "password", PASSWORD),
                                admin.headers())
                        .statusCode())
                .isEqualTo(400);
        assertThat(api.send(
                                "POST",
                                "/admin/users",
                                Map.of("username", "dave", "password", PASSWORD, "role", "owner"),
                                admin.headers())
                        .statusCode())
                .isEqualTo(400);
        assertThat(api.send("POST", "/admin/users", Map.of("username", "dave", "password", PASSWORD), admin.headers())
                        .statusCode())
                .isEqualTo(201);
        assertThat(api.send("POST", "/admin/users", Map.of("username", "dave", "password", PASSWORD), admin.headers())
                        .statusCode())
                .isEqualTo(409);

        ApiClient.Browser dave = api.login("dave", PASSWORD);
        ApiClient.Browser daveElsewhere = api.login("dave", PASSWORD);
        HttpResponse<String> tooShort =
                api.send("POST", "/auth/password", Map.of("current", PASSWORD, "new", "short"), dave.headers());
        assertThat(tooShort.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(tooShort).path("detail").asText()).contains("at least 12 characters");
        assertThat(api.send(
                                "POST",
                                "/auth/password",
                                Map.of("current", "not my password", "new", "a much better password"),
                                dave.headers())
                        .statusCode())
                .isEqualTo(403);
        assertThat(api.send(
                                "POST",
                                "/auth/password",
                                Map.of("current", PASSWORD, "new", "a much better password"),
                                dave.headers())
                        .statusCode())
                .isEqualTo(204);
        assertThat(api.send("GET", "/auth/me", null, dave.headers()).statusCode())
                .isEqualTo(200);
        assertThat(api.send("GET", "/auth/me", null, daveElsewhere.headers()).statusCode())
                .isEqualTo(401);
        assertThat(api.send("POST", "/auth/login", Map.of("username", "dave", "password", PASSWORD))
                        .statusCode())
                .isEqualTo(401);
        api.login("dave", "a much better password");
    }

    @Test
    void theAdminTokenFileKeepsWorkingForTheCli() {
        JsonNode me = ApiClient.json(
                api.send("GET", "/auth/me", null, "Authorization", "Bearer " + FederationInit.adminToken(paths)));
        assertThat(me.path("username").asText()).isEqualTo("admin");
        assertThat(me.path("role").asText()).isEqualTo("admin");
        assertThat(api.send("GET", "/admin/nodes", null, "Authorization", "Bearer " + FederationInit.adminToken(paths))
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.send("GET", "/admin/nodes", null, "Authorization", "Bearer mipfed-admin-0000")
                        .statusCode())
                .isEqualTo(401);
        assertThat(api.send("GET", "/auth/config", null).body()).isEqualTo("{\"oidc\":false}");
    }

    @Test
    void metricsAreServedInPrometheusFormatToAdmins() {
        manager.metrics().alerts("test_alert").increment();
        HttpResponse<String> metrics =
                api.send("GET", "/metrics", null, "Authorization", "Bearer " + FederationInit.adminToken(paths));
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("mipfed_alerts_total{kind=\"test_alert\"} 1.0")
                .contains("jvm_memory_used_bytes");
        assertThat(api.send("GET", "/metrics", null).statusCode()).isEqualTo(401);
    }

    @Test
    void everyResponseCarriesTheSecurityHeaders() {
        for (HttpResponse<String> response : List.of(
                api.send("GET", "/auth/config", null),
                api.send("GET", "/datasets", null),
                api.send("GET", "/nowhere", null, "Authorization", "Bearer " + FederationInit.adminToken(paths)))) {
            assertThat(response.headers().firstValue("Content-Security-Policy"))
                    .contains(
                            "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'");
            assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(response.headers().firstValue("Referrer-Policy")).contains("no-referrer");
            assertThat(response.headers().firstValue("X-Frame-Options")).contains("DENY");
            assertThat(response.headers().firstValue("Strict-Transport-Security"))
                    .isEmpty();
        }
    }

    private String readUsersFile() {
        try {
            return Files.readString(paths.users());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> ids(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        ApiClient.json(response).forEach(e -> ids.add(e.path("id").asText()));
        return ids;
    }
}
