package io.halley.api;

import java.util.Objects;

/**
 * Why a session, or a connection to it, ended, and whether the client should reconnect.
 *
 * @param code      the stable code sent to the client in a close frame
 * @param reconnect whether the client may reconnect and resume the same session
 */
public record CloseReason(String code, boolean reconnect) {

    /** The session's outbound queue overflowed: messages were dropped, the session is gone. */
    public static final CloseReason SLOW_CONSUMER = new CloseReason("slow_consumer", false);
    /** No connection came back to the session within its lifetime. */
    public static final CloseReason EXPIRED = new CloseReason("expired", false);
    /** Another connection resumed the session; this connection ends, the session lives on. */
    public static final CloseReason REPLACED = new CloseReason("replaced", false);
    /** The hub is stopping (the core bundle is being stopped or updated). */
    public static final CloseReason SHUTDOWN = new CloseReason("shutdown", true);
    /** An operator closed the session. */
    public static final CloseReason CLOSED_BY_ADMIN = new CloseReason("closed_by_admin", false);
    /**
     * The server dropped the connection (an operator, a rebalance); the session lives on
     * and the client resumes it with nothing lost.
     */
    public static final CloseReason DISCONNECTED = new CloseReason("disconnected", true);
    /** The client itself ended the session. */
    public static final CloseReason CLIENT_CLOSED = new CloseReason("client_closed", false);

    /**
     * The token the session was opened with expired and no fresh one came ({@code auth}
     * frame): the client reconnects with a new token and resumes the session.
     */
    public static final CloseReason TOKEN_EXPIRED = new CloseReason("token_expired", true);

    public CloseReason {
        Objects.requireNonNull(code, "code");
    }

    /**
     * The {@code close} frame that tells a client why its connection ended, the last
     * frame a connection gets:
     * <pre>{"type":"close","reason":"slow_consumer","reconnect":false}</pre>
     *
     * @return the frame, one line of JSON
     */
    public String toJson() {
        return Json.quote(new StringBuilder(64).append("{\"type\":\"close\",\"reason\":"), code)
                .append(",\"reconnect\":").append(reconnect).append('}').toString();
    }
}
