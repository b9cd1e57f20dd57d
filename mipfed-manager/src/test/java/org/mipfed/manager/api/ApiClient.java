package org.mipfed.manager.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.mipfed.core.json.Json;

/**
 * A test's HTTP caller of a running manager: java.net.http, no cookie jar (tests set the cookie and headers they
 * mean to send, so that what is sent is plain to read).
 */
final class ApiClient {
    private final HttpClient http;
    private final String base;

    ApiClient(HttpClient http, String base) {
        this.http = http;
        this.base = base;
    }

    static ApiClient plain(int port) {
        return new ApiClient(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build(), "http://127.0.0.1:" + port);
    }

    String base() {
        return base;
    }

    /** A request with headers given as name, value, name, value… */
    HttpResponse<String> send(String method, String path, Object body, String... headers) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        String text = body == null
                ? null
                : body instanceof String s ? s : Json.mapper().valueToTree(body).toString();
        request.method(
                method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        if (text != null) {
            request.header("Content-Type", "application/json");
        }
        h.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.mapper().readTree(response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    /** A signed-in browser: its session cookie and CSRF token. */
    record Browser(String cookie, String csrf) {
        String[] headers(String... more) {
            String[] out = new String[4 + more.length];
            out[0] = "Cookie";
            out[1] = cookie;
            out[2] = "X-CSRF-Token";
            out[3] = csrf;
            System.arraycopy(more, 0, out, 4, more.length);
            return out;
        }
    }

    Browser login(String username, String password) {
        HttpResponse<String> response = send("POST", "/auth/login", Map.of("username", username, "password", password));
        if (response.statusCode() != 200) {
            throw new AssertionError(
                    "sign-in of " + username + " failed: " + response.statusCode() + " " + response.body());
        }
        String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
        return new Browser(
                setCookie.substring(0, setCookie.indexOf(';')),
                json(response).path("csrf_token").asText());
    }
}
