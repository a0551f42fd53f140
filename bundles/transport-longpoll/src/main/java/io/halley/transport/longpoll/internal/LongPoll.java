package io.halley.transport.longpoll.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.servlet.AsyncContext;
import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.CloseReason;
import io.halley.api.Frame;
import io.halley.api.Json;
import io.halley.api.Session;
import io.halley.api.SessionListener;

/**
 * One waiting poll. Frames arriving, the session closing, the timeout and the transport
 * stopping all race to answer it; {@link #answered} lets exactly one of them win, and
 * the frames that come later wait in the session for the next poll.
 */
final class LongPoll implements SessionListener, AsyncListener, WriteListener {

    private static final Logger LOG = LoggerFactory.getLogger(LongPoll.class);

    private final LongPollServlet servlet;
    private final Session session;
    private final AsyncContext ctx;
    private final long startSeq;
    private final boolean announce;

    private final AtomicBoolean answered = new AtomicBoolean();
    private final AtomicBoolean completed = new AtomicBoolean();
    // Signals that come while attach() has not returned yet are only noted: the servlet
    // looks at hasPending() and closeSignalled once it knows how many frames were missed.
    private volatile boolean attached;
    private volatile boolean closeSignalled;
    private volatile long missed;
    private volatile Future<?> timeout;
    private volatile byte[] body;
    private boolean written; // only touched in onWritePossible, which the container serializes

    /**
     * @param announce whether the answer carries a {@code connected} frame: the first
     *                 answer of a new protocol session, as other transports begin with one
     */
    LongPoll(LongPollServlet servlet, Session session, AsyncContext ctx, long startSeq, boolean announce) {
        this.servlet = servlet;
        this.session = session;
        this.ctx = ctx;
        this.startSeq = startSeq;
        this.announce = announce;
    }

    void attached(long missedFrames) {
        missed = missedFrames;
        attached = true;
        if (answered.get()) {
            // answered (the transport stopping) while attach() ran: do not stay attached,
            // or the session would never expire
            session.detach(this);
        }
    }

    boolean closeSignalled() {
        return closeSignalled;
    }

    void timeoutAfter(Future<?> future) {
        timeout = future;
        if (answered.get()) {
            future.cancel(false);
        }
    }

    @Override
    public void onAvailable() {
        if (attached) {
            dispatchAnswer();
        }
    }

    /** Also when replaced by a newer poll: this one answers at once with its close frame. */
    @Override
    public void onClose(CloseReason reason) {
        closeSignalled = true;
        if (attached) {
            dispatchAnswer();
        }
    }

    void timedOut() {
        dispatchAnswer();
    }

    /** Off the caller's thread (the hub's or the timer's), onto the container's pool. */
    private void dispatchAnswer() {
        if (answered.get()) {
            return;
        }
        try {
            ctx.start(this::answer);
        } catch (IllegalStateException e) {
            abandon(); // the request is already over
        }
    }

    /** Answers with what the session has for this poll (possibly nothing) and detaches. */
    void answer() {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        cancelTimeout();
        List<Frame> frames;
        try {
            LongPollConfig config = servlet.config();
            frames = session.poll(this, config.maxMessages(), config.maxBytes());
        } catch (RuntimeException e) {
            LOG.warn("polling session {} failed", session.id(), e);
            frames = List.of();
        }
        session.detach(this);
        write(frames);
    }

    /** The transport is stopping: answer the cursor without taking frames, they stay queued. */
    void answerWithoutFrames() {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        cancelTimeout();
        session.detach(this);
        write(List.of());
    }

    private void write(List<Frame> frames) {
        servlet.removed(this);
        long cursor = startSeq + missed; // frames that were given up count as seen
        StringBuilder messages = new StringBuilder(256);
        String close = null;
        for (Frame f : frames) {
            if ("close".equals(f.type())) {
                close = f.json();
                continue;
            }
            if (messages.length() > 0) {
                messages.append(',');
            }
            messages.append(f.json());
            if (f.seq() > 0) {
                cursor = f.seq();
            }
        }
        String id = Json.quote(session.id());
        StringBuilder b = new StringBuilder(messages.length() + 128)
                .append("{\"session\":").append(id)
                .append(",\"cursor\":").append(Json.quote(session.id() + ":" + cursor))
                .append(",\"missed\":").append(missed)
                .append(",\"messages\":[").append(messages).append(']');
        if (announce) {
            b.append(",\"connected\":{\"type\":\"connected\",\"session\":").append(id)
                    .append(",\"resumed\":false,\"missed\":").append(missed).append('}');
        }
        if (close != null) {
            b.append(",\"close\":").append(close);
        }
        byte[] bytes = b.append('}').toString().getBytes(StandardCharsets.UTF_8);
        try {
            HttpServletResponse resp = (HttpServletResponse) ctx.getResponse();
            resp.setStatus(HttpServletResponse.SC_OK);
            resp.setContentType("application/json");
            resp.setHeader("Cache-Control", "no-store");
            resp.setContentLength(bytes.length);
            body = bytes;
            // non-blocking: a slow reader of a large answer must not hold a pool thread
            resp.getOutputStream().setWriteListener(this);
        } catch (IOException | RuntimeException e) {
            LOG.debug("answering a poll of session {} failed: {}", session.id(), e.toString());
            complete();
        }
    }

    @Override
    public void onWritePossible() throws IOException {
        ServletOutputStream out = ctx.getResponse().getOutputStream();
        if (!written) {
            written = true;
            out.write(body);
            if (!out.isReady()) {
                return; // called again once the body is out
            }
        }
        complete();
    }

    @Override
    public void onError(Throwable t) {
        LOG.debug("answering a poll of session {} failed: {}", session.id(), t.toString());
        complete();
    }

    @Override
    public void onComplete(AsyncEvent event) {
        abandon();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
        abandon();
        complete();
    }

    @Override
    public void onError(AsyncEvent event) {
        abandon();
        complete();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // the servlet starts async once; nothing to renew
    }

    /** The request ended without an answer (the client went away): just let go of the session. */
    private void abandon() {
        servlet.removed(this);
        if (answered.compareAndSet(false, true)) {
            cancelTimeout();
            session.detach(this);
        }
    }

    private void cancelTimeout() {
        Future<?> f = timeout;
        if (f != null) {
            f.cancel(false);
        }
    }

    private void complete() {
        if (completed.compareAndSet(false, true)) {
            try {
                ctx.complete();
            } catch (IllegalStateException e) {
                // already completed by the container
            }
        }
    }
}
