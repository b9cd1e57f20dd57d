package org.mipfed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mipfed.cli.demo.LocalFederation;
import org.mipfed.core.json.Json;

/**
 * The portal's node page (Administer) at N nodes in Debian's headless Chromium (never a browser a tool downloads),
 * driven over its DevTools protocol on loopback: the time from navigation until the first page of nodes is drawn, and
 * the time to draw all N nodes on one page, each measured inside the browser ({@code performance}).
 */
final class PortalTiming {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final int RUNS = 5;
    private static final Pattern LISTENING =
            Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");

    private PortalTiming() {}

    /** The row of the scale table; without Chromium, or when it fails, a row that says it was not measured and why. */
    static ObjectNode nodePage(LocalFederation federation, int n, Path profile) {
        ObjectNode row = Json.mapper()
                .createObjectNode()
                .put("what", "portal's node page at " + n + " nodes")
                .put("kind", "portal")
                .put("nodes", n);
        if (!Files.isExecutable(CHROMIUM)) {
            return row.put("not_measured", "needs Debian's chromium at " + CHROMIUM);
        }
        System.err.printf("%d nodes: the portal's node page in Chromium ...%n", n);
        try {
            return measure(federation, n, profile, row);
        } catch (Exception e) {
            System.err.println("  the portal's node page was not measured: " + e);
            return row.put("not_measured", String.valueOf(e.getMessage()));
        }
    }

    private static ObjectNode measure(LocalFederation federation, int n, Path profile, ObjectNode row)
            throws Exception {
        Files.createDirectories(profile);
        Process chromium = new ProcessBuilder(
                        CHROMIUM.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--no-first-run",
                        "--window-size=1280,800",
                        "--remote-debugging-address=127.0.0.1",
                        "--remote-debugging-port=0",
                        "--user-data-dir=" + profile.toAbsolutePath(),
                        "about:blank")
                .redirectErrorStream(true)
                .start();
        try (Cdp cdp = Cdp.connect(chromium)) {
            String portal = "http://127.0.0.1:" + federation.httpPort() + "/portal/";
            cdp.navigate(portal);
            cdp.until("document.readyState === 'complete'", 60);
            String login = "fetch('/auth/login', {method: 'POST', credentials: 'same-origin', referrerPolicy:"
                    + " 'same-origin', headers: {'Content-Type': 'application/json'}, body: JSON.stringify({username:"
                    + " 'admin', password: " + Json.mapper().writeValueAsString(federation.adminPassword())
                    + "})}).then((r) => r.status)";
            int status = cdp.evaluate(login).asInt();
            if (status != 200) {
                throw new IllegalStateException("signing in as admin answered " + status);
            }
            List<Double> firstPage = new ArrayList<>();
            List<Double> allNodes = new ArrayList<>();
            int rows = 0;
            for (int i = 0; i <= RUNS; i++) {
                cdp.navigate(portal + "?run=" + i + "#/admin");
                // the portal marks when it drew the node list, in ms since the navigation started
                cdp.until(
                        "location.search === '?run=" + i
                                + "' && performance.getEntriesByName('mipfed:nodes-drawn').length > 0",
                        120);
                double drawn = cdp.evaluate("performance.getEntriesByName('mipfed:nodes-drawn')[0].startTime")
                        .asDouble();
                JsonNode all = cdp.evaluate("""
                        new Promise((done) => {
                          const n = %d;
                          const t0 = performance.now();
                          document.getElementById('nodes-limit').value = String(n);
                          document.getElementById('nodes-filter').requestSubmit();
                          const check = () => {
                            const rows = document.querySelectorAll('#nodes-table tbody tr').length;
                            if (rows >= n) requestAnimationFrame(() => done([performance.now() - t0, rows]));
                            else setTimeout(check, 5);
                          };
                          check();
                        })""".formatted(n));
                if (i > 0) { // the first load fills the browser's caches
                    firstPage.add(drawn);
                    allNodes.add(all.get(0).asDouble());
                }
                rows = all.get(1).asInt();
            }
            Collections.sort(firstPage);
            Collections.sort(allNodes);
            return row.put("first_page_ms", firstPage.get(firstPage.size() / 2))
                    .put("first_page_max_ms", firstPage.get(firstPage.size() - 1))
                    .put("all_on_one_page_ms", allNodes.get(allNodes.size() / 2))
                    .put("all_on_one_page_max_ms", allNodes.get(allNodes.size() - 1))
                    .put("rows_drawn", rows);
        } finally {
            chromium.destroy();
            if (!chromium.waitFor(10, TimeUnit.SECONDS)) {
                chromium.destroyForcibly();
            }
        }
    }

    /** A minimal DevTools protocol client for one page: commands by id, answers matched to them. */
    private static final class Cdp implements WebSocket.Listener, AutoCloseable {
        private final Map<Integer, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
        private final AtomicInteger ids = new AtomicInteger();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Cdp connect(Process chromium) throws Exception {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(chromium.getInputStream(), StandardCharsets.UTF_8));
            String port = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (String line; port == null && (line = out.readLine()) != null; ) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port = m.group(2);
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
            if (port == null) {
                throw new IllegalStateException("Chromium did not open its DevTools port");
            }
            // keep reading its output, so that it never blocks on a full pipe
            Thread drain = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        // discarded
                    }
                } catch (IOException ignored) {
                    // Chromium ended
                }
            });
            drain.setDaemon(true);
            drain.start();
            HttpClient http = HttpClient.newHttpClient();
            JsonNode targets = Json.mapper()
                    .readTree(http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body());
            String page = null;
            for (JsonNode t : targets) {
                if (t.path("type").asText().equals("page")) {
                    page = t.path("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (page == null) {
                throw new IllegalStateException("Chromium shows no page to drive");
            }
            Cdp cdp = new Cdp();
            cdp.socket =
                    http.newWebSocketBuilder().buildAsync(URI.create(page), cdp).get(30, TimeUnit.SECONDS);
            return cdp;
        }

        JsonNode call(String method, ObjectNode params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> answer = new CompletableFuture<>();
            waiting.put(id, answer);
            ObjectNode message = Json.mapper().createObjectNode().put("id", id).put("method", method);
            message.set("params", params);
            socket.sendText(Json.mapper().writeValueAsString(message), true).get(30, TimeUnit.SECONDS);
            JsonNode reply = answer.get(3, TimeUnit.MINUTES);
            if (reply.has("error")) {
                throw new IllegalStateException(method + " failed: " + reply.get("error"));
            }
            return reply.path("result");
        }

        void navigate(String url) throws Exception {
            call("Page.navigate", Json.mapper().createObjectNode().put("url", url));
        }

        /** Evaluates an expression in the page (awaiting a promise) and answers its value. */
        JsonNode evaluate(String expression) throws Exception {
            JsonNode result = call(
                    "Runtime.evaluate",
                    Json.mapper()
                            .createObjectNode()
                            .put("expression", expression)
                            .put("awaitPromise", true)
                            .put("returnByValue", true));
            if (result.has("exceptionDetails")) {
                throw new IllegalStateException("the page failed: " + result.get("exceptionDetails"));
            }
            return result.path("result").path("value");
        }

        /** Waits until a condition holds in the page. */
        void until(String condition, int seconds) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                try {
                    if (evaluate(condition).asBoolean()) {
                        return;
                    }
                } catch (IllegalStateException e) {
                    // the page is between two documents
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "the page did not reach '" + condition + "' within " + seconds + " s");
                }
                Thread.sleep(20);
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    JsonNode message = Json.mapper().readTree(partial.toString());
                    CompletableFuture<JsonNode> answer =
                            message.has("id") ? waiting.remove(message.get("id").asInt()) : null;
                    if (answer != null) {
                        answer.complete(message);
                    }
                } catch (IOException e) {
                    // not a message of ours
                } finally {
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
