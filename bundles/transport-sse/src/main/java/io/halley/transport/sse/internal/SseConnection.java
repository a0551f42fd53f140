package io.halley.transport.sse.internal;

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
 * One open event stream. Every write is non-blocking: frames are drained from the
 * session only while the container says the output is ready, and the rest waits in
 * the session's queue (where the hub's slow-consumer policy sees it), not here.
 *
 * <p>Signals (frames waiting, the session closing, a heartbeat due, the output ready
 * again) may come from any thread at any time; {@link #drain} lets one thread at a
 * time write, and makes that thread look again for every signal that came meanwhile,
 * so that none is stranded.
 */
final class SseConnection implements SessionListener, WriteListener, AsyncListener {

    private static final Logger LOG = LoggerFactory.getLogger(SseConnection.class);
    private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.US_ASCII);
    // An EventSource never shows comments to the page, so a protocol client, which
    // must tell a silent connection from a quiet one, gets heartbeats as events.
    private static final byte[] HEARTBEAT_EVENT =
            "event: heartbeat\ndata: {\"type\":\"heartbeat\"}\n\n".getBytes(StandardCharsets.US_ASCII);

    private final SseServlet servlet;
    private final Session session;
    private final boolean resumed;
    private final boolean protocol;
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
     * @param protocol whether the client speaks the full protocol ({@code protocol=1}):
     *                 heartbeats and sequenced frames other than messages become named events
     */
    SseConnection(SseServlet servlet, Session session, boolean resumed, boolean protocol) {
        this.servlet = servlet;
        this.session = session;
        this.resumed = resumed;
        this.protocol = protocol;
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
        LOG.debug("SSE stream of session {} failed: {}", session.id(), t.toString());
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
            LOG.debug("SSE write to session {} failed: {}", session.id(), e.toString());
            end();
        }
    }

    /** @return the next bytes to write, or null when there is nothing to write now */
    private byte[] nextChunk() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        if (!preambleWritten) {
            preambleWritten = true;
            text(buf, "retry: " + servlet.config().retry() + "\nevent: connected\ndata: "
                    + "{\"type\":\"connected\",\"session\":" + jsonString(session.id())
                    + ",\"resumed\":" + resumed + ",\"missed\":" + missed
                    + ",\"heartbeat\":" + servlet.config().heartbeatInterval() + "}\n\n");
        }
        CloseReason reason = closeReason.get();
        // the per-listener poll: once replaced, this connection gets only its own close
        // frame, never frames that belong to the connection that replaced it
        List<Frame> frames = session.poll(this, maxFrames, maxBytes);
        for (Frame frame : frames) {
            if ("close".equals(frame.type())) {
                closeEvent(buf, frame.json());
                closeWritten = true;
                break;
            }
            if (frame.seq() > 0) {
                text(buf, "id: " + frame.seq() + "\n");
                // a plain subscription keeps every sequenced frame on onmessage, as shipped;
                // a protocol client listens for reply and gap by name
                if (protocol && !"message".equals(frame.type())) {
                    text(buf, "event: " + frame.type() + "\n");
                }
            } else {
                text(buf, "event: " + frame.type() + "\n");
            }
            text(buf, "data: ");
            buf.writeBytes(frame.json().getBytes(StandardCharsets.UTF_8));
            text(buf, "\n\n");
        }
        if (reason != null && frames.isEmpty()) {
            // no close frame was left for this connection: say why ourselves
            closeEvent(buf, closeJson(reason));
            closeWritten = true;
        }
        if (buf.size() > 0) {
            heartbeatDue = false;
            return buf.toByteArray();
        }
        if (heartbeatDue) {
            heartbeatDue = false;
            return protocol ? HEARTBEAT_EVENT : HEARTBEAT;
        }
        return null;
    }

    private static void closeEvent(ByteArrayOutputStream buf, String json) {
        text(buf, "event: close\ndata: ");
        buf.writeBytes(json.getBytes(StandardCharsets.UTF_8));
        text(buf, "\n\n");
    }

    private static String closeJson(CloseReason reason) {
        return "{\"type\":\"close\",\"reason\":" + jsonString(reason.code())
                + ",\"reconnect\":" + reason.reconnect() + "}";
    }

    private static void text(ByteArrayOutputStream buf, String s) {
        buf.writeBytes(s.getBytes(StandardCharsets.UTF_8));
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
