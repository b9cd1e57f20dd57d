package org.mipfed.manager.users;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.mipfed.core.json.Json;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;

/**
 * Sign-in through an OpenID Connect provider: the authorization code flow with PKCE (S256), state and nonce. The
 * provider's endpoints come from its discovery document; the ID token is checked with nimbus-jose-jwt against the
 * provider's published keys (JWKS): signature, issuer, audience, expiry and nonce.
 */
public final class OidcClient {
    /** How long a browser has between leaving for the provider and coming back. */
    static final Duration PENDING_TIMEOUT = Duration.ofMinutes(10);

    private static final int MAX_PENDING = 10_000;
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512,
            JWSAlgorithm.ES256,
            JWSAlgorithm.ES384,
            JWSAlgorithm.ES512);

    /** Where to send the browser, and the state that must come back with it. */
    public record Start(URI authorization, String state) {}

    /** Who the provider says signed in. */
    public record Identity(String subject, String preferredName) {}

    private record Pending(String nonce, String verifier, String redirectUri, Instant created) {}

    private record Provider(
            String issuer, URI authorization, URI token, JWKSource<SecurityContext> keys, boolean secretInBody) {}

    private final OidcSettings settings;
    private final HttpClient http;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private volatile Provider provider;

    public OidcClient(OidcSettings settings) {
        this(
                settings,
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
    }

    OidcClient(OidcSettings settings, HttpClient http) {
        this.settings = requireNonNull(settings, "settings is null");
        this.http = requireNonNull(http, "http is null");
    }

    /** Begins a sign-in: the provider's authorization URL for a browser that will come back to {@code redirectUri}. */
    public Start start(String redirectUri) {
        Provider p = provider();
        Instant now = Instant.now();
        pending.values().removeIf(x -> x.created().plus(PENDING_TIMEOUT).isBefore(now));
        if (pending.size() >= MAX_PENDING) {
            throw new Problem(
                    ProblemType.MANAGER_UNAVAILABLE,
                    "Too many sign-ins through the identity provider are under way; try again in a few minutes.");
        }
        String state = UserStore.randomSecret(32);
        String nonce = UserStore.randomSecret(32);
        String verifier = UserStore.randomSecret(32);
        pending.put(state, new Pending(nonce, verifier, redirectUri, now));
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", settings.clientId());
        query.put("redirect_uri", redirectUri);
        query.put("scope", "openid profile email");
        query.put("state", state);
        query.put("nonce", nonce);
        query.put("code_challenge", challenge(verifier));
        query.put("code_challenge_method", "S256");
        String separator = p.authorization().getRawQuery() == null ? "?" : "&";
        return new Start(URI.create(p.authorization() + separator + form(query)), state);
    }

    /** Completes a sign-in: exchanges the code (with the PKCE verifier) and checks the ID token. */
    public Identity finish(String state, String code) {
        Pending started = state == null ? null : pending.remove(state);
        if (started == null || started.created().plus(PENDING_TIMEOUT).isBefore(Instant.now())) {
            throw new Problem(
                    ProblemType.INVALID_SIGN_IN,
                    "This sign-in is unknown or older than " + PENDING_TIMEOUT.toMinutes()
                            + " minutes (state did not match); start again from the sign-in page.");
        }
        if (code == null || code.isBlank()) {
            throw Problem.badRequest(
                    "The identity provider sent no authorization code; start again from the sign-in page.");
        }
        Provider p = provider();
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", started.redirectUri());
        body.put("client_id", settings.clientId());
        body.put("code_verifier", started.verifier());
        HttpRequest.Builder request = HttpRequest.newBuilder(p.token())
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json");
        if (settings.clientSecret() != null && p.secretInBody()) {
            body.put("client_secret", settings.clientSecret());
        } else if (settings.clientSecret() != null) {
            String basic = URLEncoder.encode(settings.clientId(), StandardCharsets.UTF_8) + ":"
                    + URLEncoder.encode(settings.clientSecret(), StandardCharsets.UTF_8);
            request.header(
                    "Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(basic.getBytes(StandardCharsets.UTF_8)));
        }
        JsonNode tokens = fetch(
                request.POST(HttpRequest.BodyPublishers.ofString(form(body))).build(), "token endpoint");
        String idToken = tokens.path("id_token").asText(null);
        if (idToken == null) {
            throw new Problem(
                    ProblemType.IDENTITY_PROVIDER_ERROR,
                    "The identity provider's token endpoint returned no id_token; is 'openid' an allowed scope for client "
                            + settings.clientId() + "?");
        }
        JWTClaimsSet claims = verify(p, idToken, started.nonce());
        String name = firstText(claims, "preferred_username", "email", "name");
        return new Identity(claims.getSubject(), name != null ? name : claims.getSubject());
    }

    private JWTClaimsSet verify(Provider p, String idToken, String nonce) {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, p.keys()));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
                settings.clientId(),
                new JWTClaimsSet.Builder()
                        .issuer(p.issuer())
                        .claim("nonce", nonce)
                        .build(),
                Set.of("sub", "iat", "exp")));
        try {
            JWTClaimsSet claims = processor.process(idToken, null);
            if (claims.getAudience().size() > 1 && !settings.clientId().equals(claims.getStringClaim("azp"))) {
                throw new BadJOSEException(
                        "the token names several audiences but not this client as its authorized party (azp)");
            }
            return claims;
        } catch (ParseException | BadJOSEException | com.nimbusds.jose.JOSEException e) {
            throw new Problem(
                    ProblemType.SIGN_IN_REFUSED,
                    "The identity provider's ID token was refused: " + e.getMessage() + ".");
        }
    }

    private Provider provider() {
        Provider p = provider;
        if (p != null) {
            return p;
        }
        String issuer = trimSlash(settings.issuer().toString());
        URI discovery = URI.create(issuer + "/.well-known/openid-configuration");
        JsonNode doc = fetch(
                HttpRequest.newBuilder(discovery)
                        .timeout(Duration.ofSeconds(15))
                        .header("Accept", "application/json")
                        .GET()
                        .build(),
                "discovery document");
        String announced = doc.path("issuer").asText("");
        if (!trimSlash(announced).equals(issuer)) {
            throw new Problem(
                    ProblemType.IDENTITY_PROVIDER_ERROR,
                    "The discovery document at " + discovery + " names issuer '" + announced + "', not '" + issuer
                            + "'; check --oidc-issuer.");
        }
        try {
            Set<String> methods = new java.util.HashSet<>();
            doc.path("token_endpoint_auth_methods_supported").forEach(m -> methods.add(m.asText()));
            boolean secretInBody = !methods.isEmpty()
                    && !methods.contains("client_secret_basic")
                    && methods.contains("client_secret_post");
            p = new Provider(
                    announced,
                    URI.create(doc.path("authorization_endpoint").asText()),
                    URI.create(doc.path("token_endpoint").asText()),
                    JWKSourceBuilder.create(
                                    URI.create(doc.path("jwks_uri").asText()).toURL())
                            .retrying(true)
                            .build(),
                    secretInBody);
        } catch (IllegalArgumentException | IOException e) {
            throw new Problem(
                    ProblemType.IDENTITY_PROVIDER_ERROR,
                    "The discovery document at " + discovery
                            + " lacks a valid authorization_endpoint, token_endpoint or jwks_uri: " + e.getMessage());
        }
        provider = p;
        return p;
    }

    private JsonNode fetch(HttpRequest request, String what) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new Problem(
                        ProblemType.IDENTITY_PROVIDER_ERROR,
                        "The identity provider's " + what + " (" + request.uri() + ") answered " + response.statusCode()
                                + ": " + abbreviate(response.body()));
            }
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new Problem(
                    ProblemType.IDENTITY_PROVIDER_ERROR,
                    "Cannot reach the identity provider's " + what + " at " + request.uri() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem(ProblemType.INTERRUPTED, "Interrupted while waiting for the identity provider");
        }
    }

    private static String firstText(JWTClaimsSet claims, String... names) {
        for (String name : names) {
            Object value = claims.getClaim(name);
            if (value instanceof String s && !s.isBlank()) {
                return s;
            }
        }
        return null;
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    private static String form(Map<String, String> values) {
        return values.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private static String trimSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
