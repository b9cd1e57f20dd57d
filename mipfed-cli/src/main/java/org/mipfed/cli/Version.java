package org.mipfed.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code mipfed --version}: the version and the commit it was built from, written into the jar at build time. */
public final class Version implements IVersionProvider {
    private static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() {
        return new String[] {"mipfed " + version() + " (commit " + commit() + ")"};
    }

    public static String version() {
        return properties().getProperty("version", "unknown");
    }

    public static String commit() {
        return properties().getProperty("commit", "unknown");
    }

    private static Properties properties() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot read " + RESOURCE + " from the mipfed-cli jar: " + e.getMessage(), e);
        }
        return p;
    }
}
