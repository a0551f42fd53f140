package io.halley.api;

/**
 * How a {@link Hub#connect connect} went. A transport tells the client with a
 * {@code connected} frame:
 * <pre>{"type":"connected","session":"q0N3...","resumed":true,"missed":0,"heartbeat":15000}</pre>
 *
 * @param session the session, with the connection's listener attached
 * @param resumed whether the session named by the client was resumed (false: a new
 *                session, the client must subscribe again)
 * @param missed  how many frames after the client's {@code lastSeq} were already given up
 */
public record Connected(Session session, boolean resumed, long missed) {
}
