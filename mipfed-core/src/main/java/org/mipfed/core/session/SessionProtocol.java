package org.mipfed.core.session;

import java.time.Duration;

/**
 * The timing and size contract of a node's session with its manager, in one place because both ends must agree on
 * it: the node ({@code SessionClient}) sends heartbeats and keepalives by it, the manager ({@code ManagerServer})
 * judges silence, permits keepalives and bounds messages by it. The two run in different processes, often of
 * different releases, so change a value here only together with a note in the release: a node with a slower
 * heartbeat than a manager's silence allows would be seen down every few seconds.
 *
 * <p>As Ratis's {@code RaftServerConfigKeys}: every value is a named constant with the reason beside it.
 */
public final class SessionProtocol {
    /**
     * The longest a node stays silent on its session: it sends a heartbeat when it has sent nothing else (an answer,
     * an alert) for this long, since the manager counts every message as a sign of life; a node busy answering
     * analyses sends none. The manager does not answer heartbeats (nodes never read the answer; they see a manager
     * gone by its connection closing, or by {@link #KEEPALIVE_TIME}): each answer cost the manager a TLS record per
     * node and second, at 500 nodes 500 a second.
     */
    public static final Duration HEARTBEAT = Duration.ofSeconds(1);

    /**
     * A session with nothing heard for this long is down: three heartbeats and a half missed, so a frozen node is
     * seen down within five seconds (with {@link #SILENCE_CHECK}). A node that crashes closes its connection and is
     * seen down at once.
     */
    public static final Duration SILENCE = Duration.ofMillis(3500);

    /** How often the manager looks for silent sessions. */
    public static final Duration SILENCE_CHECK = Duration.ofMillis(500);

    /** HTTP/2 keepalive pings, both ways, so a connection through a NAT or firewall that drops idle flows stays up. */
    public static final Duration KEEPALIVE_TIME = Duration.ofSeconds(10);

    /** A keepalive ping unanswered for this long closes the connection. */
    public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * The most frequent keepalive the manager tolerates from a node; it must not exceed {@link #KEEPALIVE_TIME}, or
     * the manager would close every node's connection with "too many pings".
     */
    public static final Duration PERMIT_KEEPALIVE_TIME = Duration.ofSeconds(5);

    /**
     * The largest message either end accepts: a primitive's answer (e.g. cross products over many dummy-coded
     * levels) and an analysis request fit well within it; anything larger is refused, not buffered.
     */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    /**
     * The first reconnection's ceiling: a node whose session ended waits a random time between 0 and this before it
     * dials again, and the ceiling doubles with each failed attempt up to {@link #RECONNECT_CAP} (exponential backoff
     * with full jitter). Spread this way, the hundreds of nodes that lose a restarting manager at the same instant
     * come back over the cap's window instead of all at once.
     */
    public static final Duration RECONNECT_BASE = Duration.ofMillis(250);

    /**
     * The largest wait between two reconnection attempts: once the manager is back, every node is back within about
     * this long (plus its handshake), so none is starved.
     */
    public static final Duration RECONNECT_CAP = Duration.ofSeconds(4);

    private SessionProtocol() {}
}
