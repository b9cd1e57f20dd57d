package org.mipfed.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless Chromium driven through its chromedriver: never a browser that Selenium
 * downloads. Saves screenshots under {@code target/screenshots/} and downloads under a directory
 * the test gives.
 */
final class PortalBrowser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    final Path downloads;

    private PortalBrowser(ChromeDriver driver, Path downloads) {
        this.driver = driver;
        this.downloads = downloads;
    }

    /**
     * Skips the test when Chromium is absent on a developer's machine; on CI (CI=true) that is a failure. Skips it
     * too when the user chose to run without the browser ({@code ./mipfed test --without-browser}).
     */
    static void requireChromium() {
        assumeFalse(
                TestPostgres.leftOut("browser"),
                "The browser left out (./mipfed test --without-browser, MIPFED_TEST_WITHOUT): this test is skipped");
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        String message =
                "The browser tests need Debian's Chromium and its driver: apt-get install chromium chromium-driver,"
                        + " or run them with ./mipfed test, which installs them";
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        assumeTrue(present, message);
    }

    static PortalBrowser start(Path downloads) {
        return start(downloads, null);
    }

    /**
     * A browser whose home directory is {@code home} (if not null): Chromium on Linux trusts the certificate
     * authorities of {@code home/.pki/nssdb}, as a user's does after importing one.
     */
    static PortalBrowser start(Path downloads, Path home) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--window-size=1280,800");
        options.setExperimentalOption(
                "prefs",
                Map.of(
                        "download.default_directory",
                        downloads.toAbsolutePath().toString(),
                        "download.prompt_for_download",
                        false));
        ChromeDriverService.Builder builder = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort();
        if (home != null) {
            builder.withEnvironment(Map.of("HOME", home.toAbsolutePath().toString()));
        }
        ChromeDriverService service = builder.build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return new PortalBrowser(driver, downloads);
    }

    WebDriverWait waiting(Duration timeout) {
        return new WebDriverWait(driver, timeout);
    }

    <T> T await(ExpectedCondition<T> condition) {
        return waiting(Duration.ofSeconds(30)).until(condition);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** The whole page (up to 4000 pixels high), not only the window: results run long. */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
            Map<?, ?> size = (Map<?, ?>) metrics.get("cssContentSize");
            double width = ((Number) size.get("width")).doubleValue();
            double height = Math.min(4000, ((Number) size.get("height")).doubleValue());
            Map<String, Object> shot = driver.executeCdpCommand(
                    "Page.captureScreenshot",
                    Map.of(
                            "format",
                            "png",
                            "captureBeyondViewport",
                            true,
                            "clip",
                            Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
            Files.write(SCREENSHOTS.resolve(name + ".png"), Base64.getDecoder().decode((String) shot.get("data")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many pixels of the chart's canvas are painted: zero for an empty chart. */
    long paintedPixels(WebElement figure) {
        Object n = ((JavascriptExecutor) driver).executeScript("""
                const canvas = arguments[0].querySelector('canvas');
                if (!canvas) return 0;
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let painted = 0;
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
                return painted;""", figure);
        return ((Number) n).longValue();
    }

    /** Waits for a downloaded file to be complete and answers its bytes. */
    byte[] downloaded(String name) {
        Path file = downloads.resolve(name);
        waiting(Duration.ofSeconds(20))
                .until(d -> Files.exists(file) && !Files.exists(downloads.resolve(name + ".crdownload")));
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
