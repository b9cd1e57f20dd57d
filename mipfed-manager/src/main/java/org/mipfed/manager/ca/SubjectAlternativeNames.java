package org.mipfed.manager.ca;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.util.IPAddress;

/** The host names and IP addresses a manager certificate is valid for. */
final class SubjectAlternativeNames {
    /** What nodes on the manager's own machine dial; always included. */
    static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1");

    private static final Pattern DNS_NAME =
            Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private SubjectAlternativeNames() {}

    /** {@code hosts} (trimmed, lower-cased, without duplicates, in order) followed by the loopback names. */
    static List<String> withLoopback(List<String> hosts) {
        requireNonNull(hosts, "hosts is null");
        Set<String> names = new LinkedHashSet<>();
        for (String host : hosts) {
            names.add(check(requireNonNull(host, "a host is null").strip().toLowerCase(Locale.ROOT)));
        }
        names.addAll(LOOPBACK);
        return new ArrayList<>(names);
    }

    /** IP literals become iPAddress names, everything else dNSName (no DNS lookup is made). */
    static GeneralNames of(List<String> hosts) {
        GeneralName[] names = new GeneralName[hosts.size()];
        for (int i = 0; i < names.length; i++) {
            String host = hosts.get(i);
            names[i] = new GeneralName(IPAddress.isValid(host) ? GeneralName.iPAddress : GeneralName.dNSName, host);
        }
        return new GeneralNames(names);
    }

    private static String check(String host) {
        if (host.startsWith("[") && host.endsWith("]")) {
            // an IPv6 literal as written in a URL
            host = host.substring(1, host.length() - 1);
        }
        if (IPAddress.isValid(host) || DNS_NAME.matcher(host).matches()) {
            return host;
        }
        throw new IllegalArgumentException("'" + host + "' is not a host name or IP address"
                + (host.contains(":") ? " (give the address without a port)" : ""));
    }
}
