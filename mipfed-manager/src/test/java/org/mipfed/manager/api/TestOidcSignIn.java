package org.mipfed.manager.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.manager.users.OidcSettings;

/**
 * Sign-in through OpenID Connect against a small provider on loopback: code flow with PKCE, state and nonce; the
 * ID token checked against the provider's JWKS. The browser is played with java.net.http, following redirects by hand.
 */
class TestOidcSignIn {
    @TempDir
    Path dir;

    private OidcTestProvider provider;
    private ManagerServer manager;
    private ManagerPaths paths;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeEach
    void start() throws Exception {
        provider = new OidcTestProvider();
        paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "127.0.0.1", 0, 0, "127.0.0.1");
        manager = ManagerServer.start(
                paths,
                0,
                0,
                new WebOptions(
                        null,
                        null,
                        false,
                        false,
                        new OidcSettings(
                                URI.create(provider.issuer()),
                                OidcTestProvider.CLIENT_ID,
                                OidcTestProvider.CLIENT_SECRET)));
    }

    @AfterEach
    void stop() {
        manager.close();
        provider.close();
    }

    /** What the browser ends with: the manager's answer to the callback, and the callback URL it followed. */
    private record Outcome(HttpResponse<String> callback, String callbackUrl, String stateCookie) {}

    private Outcome signIn() throws Exception {
        HttpResponse<String> login = get(base() + "/auth/oidc/login", null);
        assertThat(login.statusCode()).isEqualTo(302);
        String authorize = login.headers().firstValue("Location").orElseThrow();
        assertThat(authorize)
                .startsWith(provider.issuer() + "/authorize?")
                .contains(
                        "code_challenge_method=S256",
                        "nonce=",
                        "state=",
                        "redirect_uri="
                                + java.net.URLEncoder.encode(
                                        base() + "/auth/oidc/callback", java.nio.charset.StandardCharsets.UTF_8));
        String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("mipfed_oidc=").contains("HttpOnly", "SameSite=Lax");
        String stateCookie = setCookie.substring(0, setCookie.indexOf(';'));

        HttpResponse<String> atProvider = get(authorize, null);
        assertThat(atProvider.statusCode()).isEqualTo(302);
        String callback = atProvider.headers().firstValue("Location").orElseThrow();
        assertThat(callback).startsWith(base() + "/auth/oidc/callback?code=");
        return new Outcome(get(callback, stateCookie), callback, stateCookie);
    }

    @Test
    void theFirstSignInCreatesAResearcherAndLaterOnesFindThem() throws Exception {
        assertThat(get(base() + "/auth/config", null).body())
                .isEqualTo("{\"oidc\":true,\"login_url\":\"/auth/oidc/login\"}");
        Outcome first = signIn();
        assertThat(first.callback().statusCode()).as(first.callback().body()).isEqualTo(302);
        assertThat(first.callback().headers().firstValue("Location")).contains("/portal/");
        String session = first.callback().headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("mipfed_session="))
                .findFirst()
                .orElseThrow();
        assertThat(session).contains("HttpOnly", "SameSite=Strict");

        JsonNode me = ApiClient.json(get(base() + "/auth/me", session.substring(0, session.indexOf(';'))));
        assertThat(me.path("username").asText()).isEqualTo("alice");
        assertThat(me.path("role").asText()).isEqualTo("researcher");
        assertThat(me.path("auth").asText()).isEqualTo("session");

        // the same subject signs in again as the same user, even under another display name
        provider.preferredUsername = "alice.smith";
        assertThat(signIn().callback().statusCode()).isEqualTo(302);
        JsonNode users = ApiClient.json(ApiClient.plain(manager.httpPort())
                .send("GET", "/admin/users", null, "Authorization", "Bearer " + FederationInit.adminToken(paths)));
        assertThat(users).hasSize(2);
        assertThat(users.get(1).path("username").asText()).isEqualTo("alice");
        assertThat(users.get(1).path("sign_in").asText()).isEqualTo("oidc");
        // a user who signs in through the provider has no password here
        assertThat(ApiClient.plain(manager.httpPort())
                        .send(
                                "POST",
                                "/auth/login",
                                java.util.Map.of("username", "alice", "password", "anything at all"))
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void aCallbackIsRefusedWithoutTheBrowsersStateOrWhenReplayed() throws Exception {
        Outcome ok = signIn();
        assertThat(ok.callback().statusCode()).isEqualTo(302);
        HttpResponse<String> replayed = get(ok.callbackUrl(), ok.stateCookie());
        assertThat(replayed.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(replayed).path("detail").asText()).contains("start again");

        HttpResponse<String> login = get(base() + "/auth/oidc/login", null);
        HttpResponse<String> atProvider =
                get(login.headers().firstValue("Location").orElseThrow(), null);
        HttpResponse<String> noCookie =
                get(atProvider.headers().firstValue("Location").orElseThrow(), null);
        assertThat(noCookie.statusCode()).isEqualTo(400);
        assertThat(ApiClient.json(noCookie).path("detail").asText()).contains("not started from this browser");
        assertThat(noCookie.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("mipfed_session="));

        HttpResponse<String> denied =
                get(base() + "/auth/oidc/callback?error=access_denied&error_description=User%20cancelled", null);
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(ApiClient.json(denied).path("detail").asText()).contains("access_denied", "User cancelled");
    }

    @Test
    void anIdTokenWithAWrongNonceAudienceOrKeyIsRefused() throws Exception {
        provider.nonceOverride = "someone-elses-nonce";
        assertRefused(signIn(), "nonce");
        provider.nonceOverride = null;

        provider.audience = "another-client";
        assertRefused(signIn(), "aud");
        provider.audience = OidcTestProvider.CLIENT_ID;

        provider.signingKeyOverride = OidcTestProvider.newKey();
        assertRefused(signIn(), "refused");
        provider.signingKeyOverride = null;

        assertThat(signIn().callback().statusCode()).isEqualTo(302);
        assertThat(provider.tokenRequests).isEqualTo(4);
    }

    private static void assertRefused(Outcome outcome, String reason) {
        assertThat(outcome.callback().statusCode())
                .as(outcome.callback().body())
                .isEqualTo(401);
        assertThat(ApiClient.json(outcome.callback()).path("detail").asText())
                .contains("ID token was refused")
                .containsIgnoringCase(reason);
        assertThat(outcome.callback().headers().allValues("Set-Cookie"))
                .noneMatch(c -> c.startsWith("mipfed_session="));
    }

    private String base() {
        return "http://127.0.0.1:" + manager.httpPort();
    }

    private HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
