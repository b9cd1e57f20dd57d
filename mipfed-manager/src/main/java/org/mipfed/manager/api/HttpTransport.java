package org.mipfed.manager.api;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * How the REST API and portal are reached: the address they listen on, whether that address is reachable from this
 * machine only, and whether they speak HTTPS. Plain HTTP on an address other machines can reach puts passwords,
 * tokens, session cookies and results on the network in clear; it is then {@link #insecure()}, said at every start
 * and shown to admins in the portal.
 */
public record HttpTransport(String host, boolean loopbackOnly, boolean https, boolean behindProxy) {
    public HttpTransport {
        requireNonNull(host, "host is null");
        if (behindProxy && (!loopbackOnly || https)) {
            throw new IllegalArgumentException(
                    "--behind-proxy needs the manager's HTTP address on loopback (it is " + host
                            + "), served in plain HTTP to the proxy that terminates TLS: set \"httpHost\": \"127.0.0.1\" in federation.json");
        }
    }

    /** Not behind a reverse proxy. */
    public HttpTransport(String host, boolean loopbackOnly, boolean https) {
        this(host, loopbackOnly, https, false);
    }

    /**
     * Whether every address {@code host} resolves to is a loopback address (127.0.0.0/8, ::1; "localhost"). The
     * wildcard (0.0.0.0, ::) listens on every interface and is not; a name that does not resolve is not either, so
     * an error never weakens the default.
     */
    public static boolean loopbackOnly(String host) {
        requireNonNull(host, "host is null");
        String literal = host.strip();
        if (literal.startsWith("[") && literal.endsWith("]")) {
            literal = literal.substring(1, literal.length() - 1);
        }
        if (literal.isEmpty()) {
            return false;
        }
        try {
            InetAddress[] addresses = InetAddress.getAllByName(literal);
            return addresses.length > 0 && Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Plain HTTP on an address other machines can reach (only with {@code --insecure-http}). */
    public boolean insecure() {
        return !https && !loopbackOnly;
    }

    /** What the operator and admins are told when the transport is {@link #insecure()}. */
    public String warning() {
        return "The REST API and portal are served over plain HTTP on " + host
                + ", an address other machines can reach (--insecure-http): "
                + "passwords, API tokens, session cookies and analysis results cross the network unencrypted. Restart the manager "
                + "without --insecure-http to serve HTTPS, or bind it to 127.0.0.1 (manager init --http-host) behind a reverse proxy that terminates TLS.";
    }
}
