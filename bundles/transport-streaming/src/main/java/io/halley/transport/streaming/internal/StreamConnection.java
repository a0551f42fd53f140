package io.halley.transport.streaming.internal;

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

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.CloseReason;
import io.halley.api.Frame;
import io.halley.api.Session;
import io.halley.api.SessionListener;

/**
 * One open stream: a {@code connected} line, then one frame per line. Every write is
 * non-blocking: frames are drained from the session only while the container says the
 * output is ready, and the rest waits in the session's queue (where the hub's
 * slow-consumer policy sees it), not here.
 *
 * <p>The writer is the SSE transport's ({@code SseConnection}), with lines for events:
 * signals (frames waiting, the session closing, a heartbeat due, the output ready again)
 * may come from any thread at any time; {@link #drain} lets one thread at a time write,
 * and makes that thread look again for every signal that came meanwhile, so that none
 * is stranded.
 */
final class StreamConnection implements SessionListener, WriteListener, AsyncListener {

    private static final Logger LOG = LoggerFactory.getLogger(StreamConnection.class);
    private static final byte[] HEARTBEAT = "{\"type\":\"heartbeat\"}\n".getBytes(StandardCharsets.US_ASCII);

    private final StreamingServlet servlet;
    private final Session session;
    private final boolean resumed;
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
    private boolean connectedWritten;
    private boolean flushNeeded;
    private boolean closeWritten;

    StreamConnection(StreamingServlet servlet, Session session, boolean resumed) {
        this.servlet = servlet;
        this.session = session;
        this.resumed = resumed;
        this.maxFrames = servlet.config().maxFramesPerWrite();
        this.maxBytes = servlet.config().maxBytesPerWrite();
    }

    /** Starts writing: the container calls {@link #onWritePossible} when it can take bytes. */
    void start(AsyncContext context, long missedFrames) throws IOException {
        this.missed = missedFrames;
        this.out = context.getResponse().getOutputStream();
        this.ctx = context;
        out.setWriteListener(this);
    }

    @Override
    public void onAvailable() {
        dispatch();
    }

    @Override
    public void onClose(CloseReason reason) {
        closeReason.compareAndSet(null, reason);
        dispatch();
    }

    void heartbeat() {
        heartbeatDue = true;
        dispatch();
    }

    @Override
    public void onWritePossible() {
        writable = true;
        drain();
    }

    @Override
    public void onError(Throwable t) {
        LOG.debug("stream of session {} failed: {}", session.id(), t.toString());
        end();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        end();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        end();
    }

    @Override
    public void onError(AsyncEvent event) {
        end();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // the servlet starts async once; nothing to renew
    }

    /** Ends the stream and detaches from the session, which lives on. Idempotent. */
    void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        servlet.removed(this);
        try {
            session.detach(this);
        } catch (RuntimeException e) {
            LOG.debug("detaching from session {} failed", session.id(), e);
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
                    byte[] chunk = nextChunk();
                    if (chunk == null) {
                        return;
                    }
                    out.write(chunk);
                    flushNeeded = true;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("write to session {} failed: {}", session.id(), e.toString());
            end();
        }
    }

    /** @return the next lines to write, or null when there is nothing to write now */
    private byte[] nextChunk() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        if (!connectedWritten) {
            connectedWritten = true;
            line(buf, "{\"type\":\"connected\",\"session\":" + jsonString(session.id())
                    + ",\"resumed\":" + resumed + ",\"missed\":" + missed
                    + ",\"heartbeat\":" + servlet.config().heartbeatInterval() + "}");
        }
        CloseReason reason = closeReason.get();
        // the per-listener poll: once replaced, this connection gets only its own close
        // frame, never frames that belong to the connection that replaced it
        List<Frame> frames = session.poll(this, maxFrames, maxBytes);
        for (Frame frame : frames) {
            line(buf, frame.json());
            if ("close".equals(frame.type())) {
                closeWritten = true;
                break;
            }
        }
        if (reason != null && frames.isEmpty()) {
            // no close frame was left for this connection: say why ourselves
            line(buf, "{\"type\":\"close\",\"reason\":" + jsonString(reason.code())
                    + ",\"reconnect\":" + reason.reconnect() + "}");
            closeWritten = true;
        }
        if (buf.size() > 0) {
            heartbeatDue = false;
            return buf.toByteArray();
        }
        if (heartbeatDue) {
            heartbeatDue = false;
            return HEARTBEAT;
        }
        return null;
    }

    private static void line(ByteArrayOutputStream buf, String json) {
        buf.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        buf.write('\n');
    }

    /** Quotes a server-made token (session id, close code); escapes only what could break JSON. */
    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
