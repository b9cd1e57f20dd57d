package org.mipfed.manager.registry;

/** A node could not answer because its session is gone. */
public class NodeUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String nodeId;

    public NodeUnavailableException(String nodeId, String reason) {
        super("node " + nodeId + " is unavailable: " + reason);
        this.nodeId = nodeId;
    }

    public String nodeId() {
        return nodeId;
    }
}
