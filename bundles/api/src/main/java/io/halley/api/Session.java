package io.halley.api;

import java.util.List;
import java.util.Set;

/**
 * A subscriber's state on the server, which outlives any one connection.
 *
 * <p>The hub puts every message of a subscribed channel into the session's outbound
 * queue as a {@link Frame} with the next sequence number. A transport attaches a
 * listener, {@linkplain #poll polls} frames and writes them; the client acknowledges
 * what it has received ({@link #ack}, or the {@code lastSeenSeq} of a resume). Frames
 * that were sent but not acknowledged are kept, within the queue's bounds, so that a
 * connection that comes back within the session lifetime gets them again, in order,
 * nothing lost and nothing twice.
 *
 * <p>The queue is bounded in frames and bytes. When it is full, frames that were
 * already sent are given up first, oldest first; when only unsent frames remain, the
 * subscriber is too slow: it gets a {@code close} frame with
 * {@link CloseReason#SLOW_CONSUMER} and the session ends. The server never slows
 * down for one subscriber.
 *
 * <p>A session is thread-safe.
 */
public interface Session {

    /** @return the session id: random, unguessable, URL-safe */
    String id();

    /** @return who opened the session; a token refresh ({@code auth} frame) may renew it */
    Identity identity();

    /** @return the name of the transport that attached last, such as {@code sse} */
    String transport();

    /** @return the remote address of the connection that attached last */
    String remoteAddress();

    /** @return when the session was opened, in milliseconds since the epoch */
    long createdAt();

    /** @return the subscribed channels and patterns */
    Set<String> subscriptions();

    /**
     * Subscribes to a channel or pattern; messages published from now on are queued.
     *
     * @throws HalleyException {@link ErrorCode#INVALID_CHANNEL} and the other channel
     *         errors, {@link ErrorCode#TOO_MANY_CHANNELS}, or {@link ErrorCode#FORBIDDEN}
     *         when the session's identity may not subscribe to it
     */
    void subscribe(String pattern);

    /** Unsubscribes; frames already queued stay queued. */
    void unsubscribe(String pattern);

    /**
     * Attaches a connection, replacing (and {@linkplain SessionListener#onClose closing}
     * with {@link CloseReason#REPLACED}) any connection attached before. Frames up to
     * {@code lastSeenSeq} are taken as acknowledged, and the next {@link #poll}
     * starts right after it.
     *
     * @param transport     the transport's name, for operators
     * @param remoteAddress the client's address, for operators
     * @param listener      told when frames are waiting and when the connection must end
     * @param lastSeenSeq   the last sequence number the client received, or -1 to
     *                      continue after what was last handed to a connection
     * @return how many frames after {@code lastSeenSeq} are no longer available
     *         (0 when the resume is complete)
     * @throws HalleyException {@link ErrorCode#UNKNOWN_SESSION} when the session has ended
     */
    long attach(String transport, String remoteAddress, SessionListener listener, long lastSeenSeq);

    /**
     * Detaches a connection (it went away); nothing happens when another connection
     * has replaced it. The session lives on for its lifetime.
     */
    void detach(SessionListener listener);

    /**
     * Hands the attached connection the frames not yet handed to a connection, in order,
     * and marks them sent. Returns at least one frame when any is waiting, even one
     * larger than {@code maxBytes}. A connection that is no longer attached (it was
     * replaced, dropped or detached) gets no message frame, only its own close frame
     * once, so that a late write on a dying connection never takes frames that belong to
     * the connection that replaced it.
     *
     * @param listener  the listener the connection attached with
     * @param maxFrames at most this many frames
     * @param maxBytes  stop adding frames once their size reaches this many bytes
     * @return the frames, possibly empty
     */
    List<Frame> poll(SessionListener listener, int maxFrames, int maxBytes);

    /** @return whether {@link #poll} would return a frame now */
    boolean hasPending();

    /**
     * Handles what the client sent: one client frame (a JSON object) or a JSON array of
     * them, in order. {@code subscribe}, {@code unsubscribe}, {@code publish} and
     * {@code ping} are answered with a {@code reply} frame in this session's queue (so a
     * reply outlives a broken connection like any frame); {@code ack} and {@code close}
     * are not answered. A frame that names an unknown type or breaks a rule is answered
     * with a failed reply when it has an {@code id}, and only counted when it has none.
     * {@code publish} returns once the broker has taken the message (or refused it).
     * See docs/protocol.md for the frames.
     *
     * @param frames the text the client sent, at most {@link Hub#maxClientFrameSize()} characters
     * @return how many frames were handled
     * @throws HalleyException {@link ErrorCode#BAD_FRAME} when the text is not a JSON
     *         object or array of objects (nothing of it was handled), {@link ErrorCode#TOO_LARGE},
     *         or {@link ErrorCode#UNKNOWN_SESSION} when the session has ended
     */
    int handle(String frames);

    /** Acknowledges every message frame up to {@code seq}: they are no longer kept. */
    void ack(long seq);

    /** @return the sequence number of the last message frame queued so far (0 for none) */
    long lastSeq();

    /** @return whether the session is still open */
    boolean isOpen();

    /**
     * Drops the attached connection, if any, and keeps the session: the connection gets a
     * close frame with {@link CloseReason#DISCONNECTED} (reconnect), and its client
     * resumes the session with nothing lost.
     *
     * @return whether a connection was attached
     */
    boolean disconnect();

    /**
     * Ends the session: the attached connection gets a close frame and
     * {@link SessionListener#onClose}.
     */
    void close(CloseReason reason);
}
