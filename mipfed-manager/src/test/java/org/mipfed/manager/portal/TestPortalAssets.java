package org.mipfed.manager.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ManagerServer;
import org.mipfed.manager.state.ManagerPaths;

/** The portal's files and its chart library come from a real manager without signing in; the data behind them does not. */
class TestPortalAssets {
    @TempDir
    Path dir;

    private ManagerServer manager;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        ManagerPaths paths = new ManagerPaths(dir.resolve("manager"));
        FederationInit.init(paths, "127.0.0.1", 0, 0, "127.0.0.1");
        manager = ManagerServer.start(paths, 0, 0);
    }

    @AfterEach
    void stop() {
        manager.close();
    }

    @Test
    void rootLeadsToThePortal() throws Exception {
        HttpResponse<String> root = get("/");
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("Location")).hasValue("/portal/");
        HttpResponse<String> page = get("/portal/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body())
                .contains("<script type=\"module\" src=\"app.js\"></script>")
                .contains("<html lang=\"en\">");
    }

    @Test
    void theChartLibraryIsServedAtTheVersionThePomPins() throws Exception {
        String vendor = get("/portal/vendor.js").body();
        Matcher path = Pattern.compile("'(/webjars/echarts/([0-9.]+)/dist/echarts\\.esm\\.min\\.js)'")
                .matcher(vendor);
        assertThat(path.find()).as(vendor).isTrue();
        HttpResponse<String> library = get(path.group(1));
        assertThat(library.statusCode()).isEqualTo(200);
        assertThat(library.headers().firstValue("Content-Type").orElse("")).contains("javascript");
        assertThat(library.body()).hasSizeGreaterThan(500_000).contains("renderToSVGString");
    }

    @Test
    void everyModuleThePortalImportsIsServed() throws Exception {
        for (String module : new String[] {
            "app.js",
            "api.js",
            "dom.js",
            "session.js",
            "catalogue.js",
            "charts.js",
            "results.js",
            "querybuilder.js",
            "paramform.js",
            "pages/signin.js",
            "pages/explore.js",
            "pages/analyse.js",
            "pages/experiment.js",
            "pages/history.js",
            "pages/admin.js",
            "portal.css"
        }) {
            HttpResponse<String> response = get("/portal/" + module);
            assertThat(response.statusCode()).as(module).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Security-Policy"))
                    .as(module)
                    .isPresent();
        }
    }

    @Test
    void theDataBehindThePortalNeedsASignIn() throws Exception {
        for (String path : new String[] {"/cdes_metadata", "/experiments", "/admin/nodes"}) {
            assertThat(get(path).statusCode()).as(path).isEqualTo(401);
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + manager.httpPort() + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
