package org.mipfed.cli.doctor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.mipfed.core.audit.AuditVerifier;

/** Checks a node's and a manager's doctor share. */
final class Checks {
    /** Below this, a certificate that should have been renewed is reported (renewal runs at two thirds of 30 days). */
    static final Duration EXPIRY_WARNING = Duration.ofDays(7);
    /** Below this free space, the store, the audit log or the experiments may soon fail to write. */
    static final long MIN_FREE_BYTES = 1L << 30;

    static final int CONNECT_TIMEOUT_MILLIS = 5000;

    private Checks() {}

    /** The host of {@code HOST:PORT} (brackets of an IPv6 literal removed). */
    static String host(String address) {
        int colon = address.lastIndexOf(':');
        String host = colon < 0 ? address : address.substring(0, colon);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port of {@code HOST:PORT}, or -1. */
    static int port(String address) {
        int colon = address.lastIndexOf(':');
        try {
            return colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static Check resolves(String name, String host, String fix) {
        try {
            String addresses = Arrays.stream(InetAddress.getAllByName(host))
                    .map(InetAddress::getHostAddress)
                    .distinct()
                    .collect(Collectors.joining(", "));
            return Check.ok(name, host + " resolves to " + addresses);
        } catch (UnknownHostException e) {
            return Check.fail(name, host + " does not resolve (" + e.getMessage() + ")", fix);
        }
    }

    static Check answers(String name, String host, int port, String fix) {
        long started = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
            return Check.ok(
                    name,
                    host + ":" + port + " answers (TCP connect in "
                            + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms)");
        } catch (IOException e) {
            return Check.fail(name, "nothing answers on " + host + ":" + port + " (" + e.getMessage() + ")", fix);
        }
    }

    static Check certificate(String name, X509Certificate certificate, String fix) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        Duration left = Duration.between(Instant.now(), notAfter);
        if (left.isNegative()) {
            return Check.fail(name, "expired at " + notAfter + " (" + certificate.getSubjectX500Principal() + ")", fix);
        }
        if (left.compareTo(EXPIRY_WARNING) < 0) {
            return Check.fail(
                    name, "expires at " + notAfter + ", in " + left.toHours() + " hours (renewal is overdue)", fix);
        }
        return Check.ok(name, "valid until " + notAfter + " (" + left.toDays() + " days)");
    }

    static Check diskSpace(Path dir) {
        try {
            FileStore store = Files.getFileStore(dir);
            long free = store.getUsableSpace();
            long total = store.getTotalSpace();
            String finding = String.format(
                    "%.1f GiB free of %.1f GiB under %s", free / (double) (1L << 30), total / (double) (1L << 30), dir);
            if (free < MIN_FREE_BYTES || total > 0 && free * 20 < total) {
                return Check.fail(
                        "disk space",
                        finding,
                        "free space on that file system (at least 1 GiB and 5 %): the store, the audit log and the "
                                + "backups write there, and a full disk stops the service");
            }
            return Check.ok("disk space", finding);
        } catch (IOException e) {
            return Check.fail(
                    "disk space",
                    "cannot read the file system of " + dir + " (" + e.getMessage() + ")",
                    "check " + dir);
        }
    }

    static Check audit(Path log, String identity, String fix) {
        try {
            AuditVerifier.Result result = AuditVerifier.verify(log, identity);
            if (result.ok()) {
                return Check.ok("audit log", log + " verifies: " + result.lines() + " lines");
            }
            return Check.fail("audit log", log + " is broken: " + result.problem(), fix);
        } catch (RuntimeException e) {
            return Check.fail("audit log", "cannot read " + log + " (" + e.getMessage() + ")", fix);
        }
    }
}
