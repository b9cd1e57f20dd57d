package org.mipfed.manager.exareme2;

import static java.util.Objects.requireNonNull;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the Exareme2 listener listens ({@code --exareme2-api HOST:PORT}) and whether a wildcard or public address
 * was explicitly allowed. The listener asks for no credentials, as Exareme2's controller does inside a MIP
 * deployment's private network: so by default only a loopback or private address (10/8, 172.16/12, 192.168/16,
 * fc00::/7, link-local) is accepted, every address the host name resolves to.
 *
 * @param port 0: a free port (tests)
 * @param allowPublic the operator's explicit {@code --exareme2-api-public}: any address, the wildcard included
 * @param userHeader {@code --exareme2-user-header}: the request header in which a reverse proxy in front of the
 *     listener names the portal user (null: requests name no user); believed as it comes, so only a proxy that
 *     replaces it may reach the listener
 */
public record Exareme2Address(String host, int port, boolean allowPublic, String userHeader) {
    public Exareme2Address {
        requireNonNull(host, "host is null");
        if (userHeader != null && !userHeader.matches("[A-Za-z0-9-]{1,64}")) {
            throw new IllegalArgumentException(
                    "--exareme2-user-header: '" + userHeader + "' is not a header name (letters, digits and '-')");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--exareme2-api: the port " + port + " is not between 0 and 65535");
        }
    }

    /** Reads {@code HOST:PORT} ({@code [v6]:PORT} for an IPv6 literal); the message says what is wrong. */
    public static Exareme2Address parse(String value, boolean allowPublic) {
        return parse(value, allowPublic, null);
    }

    /** As {@link #parse(String, boolean)}, the portal user named in {@code userHeader} (null: none). */
    public static Exareme2Address parse(String value, boolean allowPublic, String userHeader) {
        requireNonNull(value, "value is null");
        String text = value.strip();
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("--exareme2-api needs HOST:PORT (e.g. 10.0.0.5:5000, the address the "
                    + "portal-backend reaches in the private network), not '" + value + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "--exareme2-api: '" + text.substring(colon + 1) + "' in '" + value + "' is not a port number", e);
        }
        return new Exareme2Address(host, port, allowPublic, userHeader);
    }

    /**
     * Refuses an address other networks can reach unless {@link #allowPublic()}: the wildcard (0.0.0.0, ::)
     * listens on every interface, a public address is on the internet; a name that does not resolve is refused too.
     *
     * @throws IllegalArgumentException saying what to do instead
     */
    public void checkPrivate() {
        if (allowPublic) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "--exareme2-api: the host '" + host
                            + "' does not resolve; give the private IP address to listen on",
                    e);
        }
        for (InetAddress address : addresses) {
            if (!isPrivate(address)) {
                throw new IllegalArgumentException("--exareme2-api " + host + ":" + port + " would listen on "
                        + (address.isAnyLocalAddress()
                                ? "every interface (the wildcard address)"
                                : "the public address " + address.getHostAddress())
                        + ", and this listener asks for no credentials: anyone who reaches it can run analyses. "
                        + "Give the private address the portal-backend reaches (loopback, 10/8, 172.16/12, 192.168/16, fc00::/7), "
                        + "or add --exareme2-api-public if a firewall already keeps everyone else out.");
            }
        }
    }

    static boolean isPrivate(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return false;
        }
        if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()) {
            return true;
        }
        // IPv6 unique local addresses (fc00::/7), which Java does not count as site-local
        return address instanceof Inet6Address && (address.getAddress()[0] & 0xfe) == 0xfc;
    }
}
