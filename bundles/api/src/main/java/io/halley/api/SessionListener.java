package io.halley.api;

/**
 * What a transport's connection hears from the session it is attached to. Both
 * methods are called from the hub's threads and must not block: a transport
 * schedules the work and returns.
 */
public interface SessionListener {

    /** Frames are waiting: call {@link Session#poll} (now or when the connection can take them). */
    void onAvailable();

    /**
     * The connection must end: the session was closed, or another connection
     * resumed it. Frames still returned by {@link Session#poll}, the close frame last
     * included, may be written before the connection is closed.
     */
    void onClose(CloseReason reason);
}
