package io.halley.api;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hub: it consumes every channel's broker topic and fans the messages out to the
 * subscribed {@link Session}s. Registered as an OSGi service by the core bundle.
 */
public interface Hub {

    /**
     * Opens a session subscribed to the given channels and patterns.
     *
     * @param transport     the transport's name, for operators
     * @param remoteAddress the client's address, for operators
     * @param credentials   what the client presented (HTTP {@code Authorization}, a {@code token} parameter)
     * @param patterns      channels or patterns ({@link ChannelName}); may be empty
     * @return the new session, with no connection attached yet
     * @throws HalleyException {@link ErrorCode#UNAUTHORIZED}, a channel error,
     *         {@link ErrorCode#FORBIDDEN} when the identity may not subscribe to one of
     *         them (nothing is opened), {@link ErrorCode#TOO_MANY_CHANNELS}, or
     *         {@link ErrorCode#TOO_MANY_SESSIONS}
     */
    Session openSession(String transport, String remoteAddress, Credentials credentials, Collection<String> patterns);

    /**
     * Finds a session for a client that resumes it (a cursor, {@code Last-Event-ID}, a
     * {@code session} parameter). Only the subject that opened a session may resume it:
     * the credentials must prove the same user (none for an anonymous session).
     *
     * @param id          the session id
     * @param credentials what the client presented now
     * @return the open session
     * @throws HalleyException {@link ErrorCode#UNAUTHORIZED} when the credentials are
     *         wrong, {@link ErrorCode#UNKNOWN_SESSION} when no open session has that id
     *         or it belongs to another subject (the two are not told apart)
     */
    Session resume(String id, Credentials credentials);

    /**
     * Handles a {@code connect} frame, the first frame of a connection that carries
     * client frames both ways (WebSocket): resumes the session it names after its
     * {@code lastSeq}, or opens a new one (also when the named session has ended: the
     * client learns it from {@link Connected#resumed()} and subscribes again, with
     * recovery). The listener is attached to the session.
     *
     * <pre>{"type":"connect","session":"q0N3...","lastSeq":41,"token":"eyJ..."}</pre>
     *
     * <p>The frame's {@code token}, when present, is the connection's credentials;
     * otherwise {@code credentials} (from the HTTP upgrade request) are. A resume by
     * another subject opens a new session instead.
     *
     * @param connectFrame  the frame as the client sent it
     * @param transport     the transport's name, for operators
     * @param remoteAddress the client's address, for operators
     * @param credentials   what the connection's HTTP request carried
     * @param listener      the connection's listener
     * @return the session and how the connect went
     * @throws HalleyException {@link ErrorCode#BAD_FRAME} when it is not a connect frame,
     *         {@link ErrorCode#NOT_CONNECTED} when it is another frame,
     *         {@link ErrorCode#UNAUTHORIZED}, {@link ErrorCode#TOO_MANY_SESSIONS}
     */
    Connected connect(String connectFrame, String transport, String remoteAddress, Credentials credentials,
            SessionListener listener);

    /** @return the longest text {@link Session#handle} and {@link #connect} take, in characters */
    int maxClientFrameSize();

    /** @return the open session with this id, if any */
    Optional<Session> findSession(String id);

    /** @return a snapshot of the open sessions */
    List<SessionInfo> sessions();

    /** @return a snapshot of the channels that have subscribers or have seen messages */
    List<ChannelInfo> channels();

    /**
     * The most recent messages a channel's history still holds (what a subscriber could
     * recover), oldest first, for operators. A hub that keeps no history returns none.
     *
     * @param channel a concrete channel
     * @param max     at most this many, the newest
     * @return the messages, each with its offset and payload (compact JSON)
     */
    default List<Message> recentMessages(String channel, int max) {
        return List.of();
    }

    /** @return the most channels and patterns one session may subscribe to */
    int maxSubscriptionsPerSession();

    /**
     * Counts a refused request, so that operators see bad input in the metrics.
     *
     * @param source where it was refused, such as {@code sse}, {@code rest}
     * @param code   the error it got
     */
    void countError(String source, ErrorCode code);

    /**
     * @return the hub's counters by name (messages received and delivered, sessions
     *         opened and expired, slow consumers, errors by source and code)
     */
    Map<String, Long> counters();
}
