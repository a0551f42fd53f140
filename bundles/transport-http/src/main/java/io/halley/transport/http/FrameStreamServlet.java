package io.halley.transport.http;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import javax.servlet.AsyncContext;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.annotation.versioning.ConsumerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.Hub;
import io.halley.api.Session;

/**
 * The servlet of a streaming transport, whose {@code GET} holds one response open and
 * writes the session's frames to it with a {@link FrameWriter}. On top of
 * {@link HttpTransportServlet}, it heartbeats every open stream on the transport's one
 * timer, and {@linkplain #stream starts} a stream so that a failure to start leaves the
 * session detached and a stream started while stopping ends at once.
 *
 * <p>A transport calls {@code stop(W::end)} from its deactivate method: every stream ends,
 * the sessions live on and their clients resume elsewhere.
 *
 * @param <W> the transport's writer, one per open stream; it calls {@link #removed} when
 *            it {@linkplain FrameWriter#ended ends}
 */
@ConsumerType
public abstract class FrameStreamServlet<W extends FrameWriter> extends HttpTransportServlet<W> {

    /** The container's response buffer of a stream, in bytes (see {@link #stream}). */
    static final int STREAM_BUFFER_SIZE = 2048;

    private final transient Logger log = LoggerFactory.getLogger(getClass());

    /**
     * @param heartbeatInterval how often every stream is asked for a heartbeat, in
     *                          milliseconds; at least 100
     * @see HttpTransportServlet#HttpTransportServlet(Hub, String, String, int)
     */
    protected FrameStreamServlet(Hub hub, String transport, String name, int maxQueryLength,
            long heartbeatInterval) {
        super(hub, transport, name, maxQueryLength);
        long interval = Math.max(100, heartbeatInterval);
        timer().scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void heartbeat() {
        try {
            forEachConnection(FrameWriter::heartbeat);
        } catch (RuntimeException e) {
            // an exception would cancel the fixed-rate task for good
            log.warn("{} heartbeat failed", transport(), e);
        }
    }

    /**
     * Answers {@code 200} with {@code Cache-Control: no-cache} and
     * {@code X-Accel-Buffering: no} (so that a proxy passes each write on at once), then
     * {@link #streamHeaders}, and starts writing the session's frames asynchronously.
     *
     * @param contentType the stream's content type
     * @param session     the session, already attached to {@code writer}
     * @param writer      the stream's writer
     * @param missed      what {@link Session#attach} returned
     * @throws IOException when the response cannot be started; the writer is detached
     */
    protected final void stream(HttpServletRequest req, HttpServletResponse resp, String contentType,
            Session session, W writer, long missed) throws IOException {
        try {
            resp.setStatus(HttpServletResponse.SC_OK);
            resp.setContentType(contentType);
            resp.setHeader("Cache-Control", "no-cache");
            resp.setHeader("X-Accel-Buffering", "no");
            // The writer coalesces frames itself and flushes every write, so the container's buffer only costs: Jetty
            // holds it (32 KiB of direct memory by default, zeroed at once) for as long as the stream is open, which
            // was most of the 37 KiB of resident memory an idle SSE stream cost. Writes larger than this pass unbuffered.
            resp.setBufferSize(STREAM_BUFFER_SIZE);
            streamHeaders(req, resp, session);
            AsyncContext ctx = req.startAsync();
            ctx.setTimeout(0);
            ctx.addListener(writer);
            opened(writer);
            writer.start(ctx, missed);
        } catch (IOException | RuntimeException e) {
            session.detach(writer);
            removed(writer);
            throw e;
        }
        if (stopping()) {
            writer.end();
        }
    }

    /** Adds the transport's own headers to a stream's response. Adds none by default. */
    protected void streamHeaders(HttpServletRequest req, HttpServletResponse resp, Session session) {
    }
}
