package org.mipfed.manager.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.mipfed.core.json.Json;

/**
 * A small OpenID Connect provider for tests, on loopback: discovery, an authorization endpoint that signs in
 * {@link #subject} at once, a token endpoint that checks the client secret, the redirect URI and the PKCE verifier,
 * and its JWKS. Fields let a test make it misbehave (wrong nonce, audience or signing key).
 */
final class OidcTestProvider implements AutoCloseable {
    static final String CLIENT_ID = "mipfed-portal";
    static final String CLIENT_SECRET = "provider-secret-1";

    private record Grant(String clientId, String redirectUri, String nonce, String challenge) {}

    private final RSAKey key;
    private final Javalin app;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();

    volatile String subject = "248289761001";
    volatile String preferredUsername = "alice";
    volatile String nonceOverride;
    volatile String audience = CLIENT_ID;
    /** Signs ID tokens with this key instead of the published one. */
    volatile RSAKey signingKeyOverride;

    volatile int tokenRequests;

    OidcTestProvider() throws JOSEException {
        key = newKey();
        app = Javalin.create(config -> config.showJavalinBanner = false);
        app.get("/.well-known/openid-configuration", this::discovery);
        app.get("/authorize", this::authorize);
        app.post("/token", this::token);
        app.get("/jwks", ctx -> ctx.contentType("application/json").result(new JWKSet(key.toPublicJWK()).toString()));
        app.start("127.0.0.1", 0);
    }

    static RSAKey newKey() throws JOSEException {
        return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
    }

    String issuer() {
        return "http://127.0.0.1:" + app.port();
    }

    private void discovery(Context ctx) {
        ctx.contentType("application/json")
                .result(Json.mapper()
                        .createObjectNode()
                        .put("issuer", issuer())
                        .put("authorization_endpoint", issuer() + "/authorize")
                        .put("token_endpoint", issuer() + "/token")
                        .put("jwks_uri", issuer() + "/jwks")
                        .set(
                                "token_endpoint_auth_methods_supported",
                                Json.mapper().createArrayNode().add("client_secret_basic"))
                        .toString());
    }

    private void authorize(Context ctx) {
        if (!"code".equals(ctx.queryParam("response_type"))
                || !CLIENT_ID.equals(ctx.queryParam("client_id"))
                || !"S256".equals(ctx.queryParam("code_challenge_method"))
                || ctx.queryParam("code_challenge") == null
                || !ctx.queryParam("scope").contains("openid")) {
            ctx.status(400).result("bad authorization request");
            return;
        }
        String code = UUID.randomUUID().toString();
        grants.put(
                code,
                new Grant(
                        ctx.queryParam("client_id"),
                        ctx.queryParam("redirect_uri"),
                        ctx.queryParam("nonce"),
                        ctx.queryParam("code_challenge")));
        ctx.redirect(
                ctx.queryParam("redirect_uri") + "?code=" + code + "&state="
                        + URLEncoder.encode(ctx.queryParam("state"), StandardCharsets.UTF_8),
                HttpStatus.FOUND);
    }

    private void token(Context ctx) throws Exception {
        tokenRequests++;
        String expected = "Basic "
                + Base64.getEncoder()
                        .encodeToString((CLIENT_ID + ":" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
        if (!expected.equals(ctx.header("Authorization"))) {
            ctx.status(401).json(Map.of("error", "invalid_client"));
            return;
        }
        Grant grant = grants.remove(String.valueOf(ctx.formParam("code")));
        String verifier = ctx.formParam("code_verifier");
        if (grant == null
                || !"authorization_code".equals(ctx.formParam("grant_type"))
                || !grant.redirectUri().equals(ctx.formParam("redirect_uri"))
                || verifier == null
                || !grant.challenge()
                        .equals(Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(MessageDigest.getInstance("SHA-256")
                                        .digest(verifier.getBytes(StandardCharsets.US_ASCII))))) {
            ctx.status(400).contentType("application/json").result("{\"error\":\"invalid_grant\"}");
            return;
        }
        RSAKey signing = signingKeyOverride != null ? signingKeyOverride : key;
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer())
                .subject(subject)
                .audience(audience)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)))
                .claim("nonce", nonceOverride != null ? nonceOverride : grant.nonce())
                .claim("preferred_username", preferredUsername)
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256)
                        .keyID(signing.getKeyID())
                        .build(),
                claims);
        jwt.sign(new RSASSASigner(signing));
        ctx.contentType("application/json")
                .result(Json.mapper()
                        .createObjectNode()
                        .put("access_token", "at-" + UUID.randomUUID())
                        .put("token_type", "Bearer")
                        .put("id_token", jwt.serialize())
                        .toString());
    }

    @Override
    public void close() {
        app.stop();
    }
}
