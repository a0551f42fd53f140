package io.halley.transport.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;

import org.osgi.annotation.versioning.ConsumerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.CloseReason;
import io.halley.api.Frame;
import io.halley.api.Json;
import io.halley.api.Message;
import io.halley.api.Session;
import io.halley.api.SessionListener;

/**
 * Moves one session's frames to one streamed HTTP response (an asynchronous request),
 * without ever blocking a thread. A transport extends it for each open response and
 * says only how the bytes look: {@link #writePreamble the preamble} that carries the
 * {@code connected} frame, {@link #writeFrame each frame} and {@link #writeHeartbeat a
 * heartbeat}.
 *
 * <p>What the writer guarantees:
 * <ul>
 * <li>Every write is non-blocking (Servlet 3.1 {@link WriteListener}): frames are
 *     {@linkplain Session#poll(SessionListener, int, int) polled} from the session only
 *     while the container says the output is ready, and nothing is written when
 *     {@link ServletOutputStream#isReady()} is false. The rest waits in the session's
 *     queue, where the hub's slow-consumer policy sees it, not in this writer.</li>
 * <li>The response starts with the preamble, before any frame, and each write is
 *     flushed.</li>
 * <li>Signals ({@link #onAvailable}, {@link #onClose}, {@link #heartbeat}, the output
 *     ready again) may come from any thread at any time and return at once: the work
 *     runs on the container's pool, one thread at a time, and that thread looks again
 *     for every signal that came while it wrote, so that none is stranded.</li>
 * <li>A heartbeat is written only when nothing else is: any frame proves the
 *     connection alive.</li>
 * <li>When the session ends this connection ({@link #onClose}), the last thing
 *     written is a {@code close} frame: the session's own, or, when the session has
 *     none left for this connection, one made from the {@link CloseReason}. The
 *     response is then completed.</li>
 * <li>When the response ends for any reason (close, client gone, write error,
 *     {@link #end}), the writer detaches from the session, which lives on for the
 *     client to resume.</li>
 * </ul>
 *
 * <p>A transport creates the writer, {@linkplain Session#attach attaches} it to the
 * session, adds it as the {@link AsyncListener} of the request's {@link AsyncContext}
 * and calls {@link #start}. The {@code write*} methods are called by one thread at a time,
 * with happens-before between calls, so a subclass may keep plain fields for them.
 */
@ConsumerType
public abstract class FrameWriter implements SessionListener, WriteListener, AsyncListener {

    private final Logger log = LoggerFactory.getLogger(getClass());
    private final Session session;
    private final boolean resumed;
    private final long heartbeatInterval;
    private final int maxFrames;
    private final int maxBytes;

    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean dispatched = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private volatile boolean heartbeatDue;
    private volatile AsyncContext ctx;
    private volatile ServletOutputStream out;
    // true once the container first called onWritePossible: before, isReady() and
    // write() would still be blocking calls
    private volatile boolean writable;
    private volatile long missed;

    // owned by the thread in drain(); wip's atomics publish them to the next one
    private boolean preambleWritten;
    private boolean flushNeeded;
    private boolean closeWritten;

    /**
     * @param session           the session whose frames this response carries
     * @param resumed           whether the request resumed an existing session, for the
     *                          {@code connected} frame
     * @param heartbeatInterval the transport's heartbeat interval in milliseconds, for the
     *                          {@code connected} frame (the transport schedules the
     *                          {@linkplain #heartbeat heartbeats} itself)
     * @param maxFramesPerWrite the most frames polled from the session into one write
     * @param maxBytesPerWrite  stop polling frames into one write once it holds this many
     *                          bytes of them
     */
    protected FrameWriter(Session session, boolean resumed, long heartbeatInterval,
            int maxFramesPerWrite, int maxBytesPerWrite) {
        this.session = session;
        this.resumed = resumed;
        this.heartbeatInterval = heartbeatInterval;
        this.maxFrames = maxFramesPerWrite;
        this.maxBytes = maxBytesPerWrite;
    }

    /**
     * Starts writing: the container calls {@link #onWritePossible} when it can take bytes.
     * Call it once, after this writer was attached to the session and added as a listener
     * of {@code context}.
     *
     * @param context      the request's asynchronous context, with no timeout
     * @param missedFrames what {@link Session#attach} returned, for the {@code connected} frame
     * @throws IOException when the response's output stream cannot be had
     */
    public final void start(AsyncContext context, long missedFrames) throws IOException {
        this.missed = missedFrames;
        this.out = context.getResponse().getOutputStream();
        this.ctx = context;
        out.setWriteListener(this);
    }

    /** Asks for a heartbeat, written unless other bytes go out first. Does not block. */
    public final void heartbeat() {
        heartbeatDue = true;
        dispatch();
    }

    /**
     * Ends the response and detaches from the session, which lives on. Idempotent; calls
     * {@link #ended} once.
     */
    public final void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        ended();
        try {
            session.detach(this);
        } catch (RuntimeException e) {
            log.debug("detaching from session {} failed", session.id(), e);
        }
        AsyncContext c = ctx;
        if (c != null) {
            try {
                c.complete();
            } catch (IllegalStateException e) {
                // already completed by the container
            }
        }
    }

    /**
     * Writes the start of the response: whatever the transport sends first, and the
     * {@code connected} frame.
     *
     * @param buf       the bytes of the next write, in UTF-8
     * @param connected the {@code connected} frame, one line of JSON
     */
    protected abstract void writePreamble(ByteArrayOutputStream buf, String connected);

    /**
     * Writes one frame, a {@code close} frame included (it is the last).
     *
     * @param buf   the bytes of the next write, in UTF-8
     * @param frame the frame; its {@link Frame#json()} is one line
     */
    protected abstract void writeFrame(ByteArrayOutputStream buf, Frame frame);

    /**
     * Writes a heartbeat, which tells the client that a quiet connection is alive.
     *
     * @param buf the bytes of the next write (empty: nothing else goes with a heartbeat)
     */
    protected abstract void writeHeartbeat(ByteArrayOutputStream buf);

    /**
     * Called once when the response ends, before the writer detaches from the session: a
     * transport forgets the connection here. Must not block. Does nothing by default.
     */
    protected void ended() {
    }

    @Override
    public final void onAvailable() {
        dispatch();
    }

    @Override
    public final void onClose(CloseReason reason) {
        closeReason.compareAndSet(null, reason);
        dispatch();
    }

    @Override
    public final void onWritePossible() {
        writable = true;
        drain();
    }

    @Override
    public final void onError(Throwable t) {
        log.debug("stream of session {} failed: {}", session.id(), t.toString());
        end();
    }

    @Override
    public final void onComplete(AsyncEvent event) {
        end();
    }

    @Override
    public final void onTimeout(AsyncEvent event) {
        end();
    }

    @Override
    public final void onError(AsyncEvent event) {
        end();
    }

    @Override
    public final void onStartAsync(AsyncEvent event) {
        // the transport starts async once; nothing to renew
    }

    /**
     * Moves the work off the caller's thread (the hub's, or the heartbeat timer's),
     * coalescing a burst of signals into one task on the container's pool.
     */
    private void dispatch() {
        AsyncContext c = ctx;
        if (c == null || ended.get()) {
            return; // not started: the first onWritePossible drains everything
        }
        if (dispatched.compareAndSet(false, true)) {
            try {
                c.start(() -> {
                    dispatched.set(false);
                    drain();
                });
            } catch (IllegalStateException e) {
                dispatched.set(false);
                end();
            }
        }
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return; // the thread inside will make one more pass for this signal
        }
        int missedPasses = 1;
        do {
            writeWhileReady();
            missedPasses = wip.addAndGet(-missedPasses);
        } while (missedPasses != 0);
    }

    private void writeWhileReady() {
        if (!writable || ended.get()) {
            return;
        }
        try {
            while (out.isReady()) {
                if (flushNeeded) {
                    flushNeeded = false;
                    out.flush();
                } else if (closeWritten) {
                    end();
                    return;
                } else {
                    Chunk chunk = nextChunk();
                    if (chunk == null) {
                        return;
                    }
                    // a new array each time: the container may keep it until the bytes are out
                    out.write(chunk.array(), 0, chunk.size());
                    flushNeeded = true;
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("write to session {} failed: {}", session.id(), e.toString());
            end();
        }
    }

    /**
     * @return the next bytes to write, or null when there is nothing to write now (then
     *         nothing was allocated: after every write the writer looks once more)
     */
    private Chunk nextChunk() {
        Chunk buf = null;
        if (!preambleWritten) {
            preambleWritten = true;
            buf = new Chunk(256);
            writePreamble(buf, "{\"type\":\"connected\",\"session\":" + Json.quote(session.id())
                    + ",\"resumed\":" + resumed + ",\"missed\":" + missed
                    + ",\"heartbeat\":" + heartbeatInterval + "}");
        }
        CloseReason reason = closeReason.get();
        // the per-listener poll: once replaced, this connection gets only its own close
        // frame, never frames that belong to the connection that replaced it
        List<Frame> frames = session.poll(this, maxFrames, maxBytes);
        if (buf == null && (!frames.isEmpty() || reason != null || heartbeatDue)) {
            int size = 64;
            for (Frame frame : frames) {
                size += frame.size() + 32; // the transport's few bytes around each frame
            }
            buf = new Chunk(size);
        }
        if (buf == null) {
            return null;
        }
        for (Frame frame : frames) {
            writeFrame(buf, frame);
            if ("close".equals(frame.type())) {
                closeWritten = true;
                break;
            }
        }
        if (reason != null && frames.isEmpty()) {
            // no close frame was left for this connection: say why ourselves
            writeFrame(buf, new CloseFrame(reason.toJson()));
            closeWritten = true;
        }
        if (buf.size() > 0) {
            heartbeatDue = false;
            return buf;
        }
        if (heartbeatDue) {
            heartbeatDue = false;
            writeHeartbeat(buf);
            return buf.size() > 0 ? buf : null;
        }
        return null;
    }

    /** The bytes of one write, handed to the container without another copy. */
    private static final class Chunk extends ByteArrayOutputStream {

        Chunk(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }

    /** The close frame of a connection that the session had none left for. */
    private record CloseFrame(String json) implements Frame {

        @Override
        public String type() {
            return "close";
        }

        @Override
        public long seq() {
            return 0;
        }

        @Override
        public Message message() {
            return null;
        }

        @Override
        public int size() {
            return json.getBytes(StandardCharsets.UTF_8).length;
        }
    }
}
