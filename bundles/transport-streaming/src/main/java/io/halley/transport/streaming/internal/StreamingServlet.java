package io.halley.transport.streaming.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.servlet.AsyncContext;
import javax.servlet.Servlet;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.HttpWhiteboardConstants;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Session;
import io.halley.transport.http.ClientFrames;

/**
 * HTTP streaming at {@code /halley/stream}: a GET opens or resumes a session and streams
 * its frames as newline-delimited JSON over one chunked response, for clients that can
 * read a response as it arrives ({@code fetch}) but have no EventSource or WebSocket
 * through their network; a POST carries client frames up to the session.
 */
@Component(
        service = Servlet.class,
        configurationPid = StreamingServlet.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/halley/stream",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME + "=halley-streaming",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_ASYNC_SUPPORTED + "=true"
        })
@Designate(ocd = StreamingConfig.class)
public class StreamingServlet extends HttpServlet {

    static final String PID = "io.halley.transport.streaming";
    static final String TRANSPORT = "streaming";

    // Session ids are the hub's, short and URL-safe; anything longer is not one of them.
    private static final int MAX_ID_LENGTH = 128;
    // 18 digits always fit a long, so parsing cannot overflow.
    private static final int MAX_SEQ_DIGITS = 18;

    private static final Logger LOG = LoggerFactory.getLogger(StreamingServlet.class);

    private final transient Hub hub;
    private final transient StreamingConfig config;
    private final transient Set<StreamConnection> connections = ConcurrentHashMap.newKeySet();
    // One timer for every stream's heartbeat: an idle stream costs memory, not a thread.
    private final transient ScheduledExecutorService heartbeats;
    private volatile boolean stopped;

    @Activate
    public StreamingServlet(@Reference Hub hub, StreamingConfig config) {
        this.hub = hub;
        this.config = config;
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "halley-streaming-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long interval = Math.max(100, config.heartbeatInterval());
        heartbeats.scheduleAtFixedRate(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
    }

    /** Ends every open stream; the sessions live on, so clients resume elsewhere. */
    @Deactivate
    public void deactivate() {
        stopped = true;
        heartbeats.shutdownNow();
        for (StreamConnection c : connections) {
            c.end();
        }
    }

    int openConnections() {
        return connections.size();
    }

    StreamingConfig config() {
        return config;
    }

    void removed(StreamConnection connection) {
        connections.remove(connection);
    }

    private void heartbeat() {
        try {
            for (StreamConnection c : connections) {
                c.heartbeat();
            }
        } catch (RuntimeException e) {
            // an exception would cancel the fixed-rate task for good
            LOG.warn("streaming heartbeat failed", e);
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp)
            throws ServletException, IOException {
        boolean post = "POST".equals(req.getMethod());
        if (!post && !"GET".equals(req.getMethod())) {
            resp.setHeader("Allow", "GET, POST");
            fail(resp, ErrorCode.METHOD_NOT_ALLOWED, "only GET and POST are allowed");
            return;
        }
        if (stopped) {
            fail(resp, ErrorCode.UNAVAILABLE, "the streaming transport is stopping");
            return;
        }
        try {
            if (post) {
                post(req, resp);
            } else {
                open(req, resp);
            }
        } catch (HalleyException e) {
            fail(resp, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("streaming request failed", e);
            fail(resp, ErrorCode.INTERNAL, "internal error");
        }
    }

    /** Client frames up: the body goes to the session as it is, the hub parses it. */
    private void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkQueryLength(req);
        String id = param(req, "session");
        if (id == null || id.isEmpty()) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "session= names the session the frames are for");
        }
        int accepted = liveSession(id).handle(ClientFrames.read(req, hub.maxClientFrameSize()));
        byte[] body = ("{\"accepted\":" + accepted + "}").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_ACCEPTED);
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    private void open(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkQueryLength(req);
        List<String> channels;
        try {
            channels = channels(req.getParameterValues("subscribe"));
        } catch (HalleyException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed query string");
        }
        boolean protocol = protocol(param(req, "protocol"));
        String sessionParam = param(req, "session");
        String lastSeqParam = param(req, "lastSeq");
        String remote = req.getRemoteAddr();
        Session session;
        StreamConnection connection;
        long missed;

        if (sessionParam != null) {
            session = liveSession(sessionParam);
            long lastSeq = lastSeqParam == null ? -1 : lastSeq(lastSeqParam);
            if (lastSeq > session.lastSeq()) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "lastSeq is ahead of the session");
            }
            Set<String> subscribed = session.subscriptions();
            for (String channel : channels) {
                if (!subscribed.contains(channel)) {
                    session.subscribe(channel);
                }
            }
            connection = new StreamConnection(this, session, true);
            try {
                missed = session.attach(TRANSPORT, remote, connection, lastSeq);
            } catch (HalleyException e) {
                throw e.code() == ErrorCode.UNKNOWN_SESSION ? unknownSession() : e;
            }
        } else {
            if (lastSeqParam != null) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "lastSeq needs the session it was seen in");
            }
            // a protocol client subscribes with frames, so its session may start with no channel
            if (channels.isEmpty() && !protocol) {
                throw new HalleyException(ErrorCode.MISSING_CHANNEL, "subscribe names no channel");
            }
            session = hub.openSession(TRANSPORT, remote, channels);
            connection = new StreamConnection(this, session, false);
            missed = session.attach(TRANSPORT, remote, connection, -1);
        }

        try {
            resp.setStatus(HttpServletResponse.SC_OK);
            resp.setContentType("application/x-ndjson");
            resp.setHeader("Cache-Control", "no-cache");
            resp.setHeader("X-Accel-Buffering", "no");
            AsyncContext ctx = req.startAsync();
            ctx.setTimeout(0);
            ctx.addListener(connection);
            connections.add(connection);
            connection.start(ctx, missed);
        } catch (IOException | RuntimeException e) {
            session.detach(connection);
            connections.remove(connection);
            throw e;
        }
        if (stopped) {
            connection.end();
        }
    }

    private Session liveSession(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "session id too long");
        }
        return hub.findSession(id).filter(Session::isOpen).orElseThrow(StreamingServlet::unknownSession);
    }

    private static HalleyException unknownSession() {
        return new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id");
    }

    private void checkQueryLength(HttpServletRequest req) {
        String query = req.getQueryString();
        if (query != null && query.length() > config.maxQueryLength()) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "query string too long");
        }
    }

    private static String param(HttpServletRequest req, String name) {
        try {
            return req.getParameter(name);
        } catch (RuntimeException e) {
            // the container's parser refuses bad percent-encoding this way
            throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed query string");
        }
    }

    /** Splits the comma separated channels; the hub checks the names themselves. */
    private List<String> channels(String[] values) {
        List<String> channels = new ArrayList<>();
        if (values == null) {
            return channels;
        }
        int max = hub.maxSubscriptionsPerSession();
        for (String value : values) {
            for (String part : value.split(",", -1)) {
                String channel = part.trim();
                if (channel.isEmpty() || channels.contains(channel)) {
                    continue;
                }
                if (channels.size() >= max) {
                    throw new HalleyException(ErrorCode.TOO_MANY_CHANNELS,
                            "at most " + max + " channels per session");
                }
                channels.add(channel);
            }
        }
        return channels;
    }

    private static boolean protocol(String value) {
        if (value == null) {
            return false;
        }
        if (!"1".equals(value)) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "protocol must be 1");
        }
        return true;
    }

    private static long lastSeq(String value) {
        if (value.isEmpty() || value.length() > MAX_SEQ_DIGITS
                || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "lastSeq must be a decimal sequence number");
        }
        return Long.parseLong(value);
    }

    private void fail(HttpServletResponse resp, ErrorCode code, String message) throws IOException {
        try {
            hub.countError(TRANSPORT, code);
        } catch (RuntimeException e) {
            LOG.debug("could not count a streaming error", e);
        }
        byte[] body = HalleyException.errorJson(code, message).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(code.httpStatus());
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
