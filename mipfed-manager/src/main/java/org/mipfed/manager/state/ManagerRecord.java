package org.mipfed.manager.state;

import static java.util.Objects.requireNonNull;

/**
 * One manager of the federation, as nodes learn it: a node holds a session to every manager of the list.
 *
 * @param id the manager's id (stable while it is a member)
 * @param address the {@code host:grpc-port} nodes dial; its TLS certificate must hold the host
 * @param httpAddress the {@code host:http-port} of its REST API and portal
 */
public record ManagerRecord(String id, String address, String httpAddress) {
    /** The id of the one manager of a federation whose state names no managers (one made before the list existed). */
    public static final String SOLE_MANAGER_ID = "manager-1";

    public ManagerRecord {
        requireNonNull(id, "id is null");
        requireNonNull(address, "address is null");
        if (id.isBlank() || address.isBlank()) {
            throw new IllegalArgumentException(
                    "a manager needs an id and an address (host:port), not '" + id + "', '" + address + "'");
        }
        httpAddress = httpAddress == null ? "" : httpAddress;
    }
}
