package org.mipfed.node.session;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A manager of the federation as the node knows it (from the managers' directory, kept in {@code node.json}).
 *
 * @param id the manager's id (empty when the node knows only the address it joined through)
 * @param address the {@code host:port} the node dials
 */
public record KnownManager(
        @JsonInclude(JsonInclude.Include.NON_EMPTY) String id, String address) {
    public KnownManager {
        id = id == null ? "" : id;
        requireNonNull(address, "address is null");
    }

    /** How logs and the status show it: the id and the address, or the address alone. */
    public String label() {
        return id.isEmpty() ? address : id + " (" + address + ")";
    }
}
