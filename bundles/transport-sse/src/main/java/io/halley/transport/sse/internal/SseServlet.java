package io.halley.transport.sse.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.servlet.AsyncContext;
import javax.servlet.Servlet;
import javax.servlet.ServletException;
import javax.servlet.http.Cookie;
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
 * Server-Sent Events at {@code /halley/sse}: a GET opens or resumes a session and streams
 * its frames, one SSE event per frame, until the client goes away or the session ends; a
 * POST carries the client frames of a {@code protocol=1} client up to its session.
 */
@Component(
        service = Servlet.class,
        configurationPid = SseServlet.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/halley/sse",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME + "=halley-sse",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_ASYNC_SUPPORTED + "=true"
        })
@Designate(ocd = SseConfig.class)
public class SseServlet extends HttpServlet {

    static final String PID = "io.halley.transport.sse";
    static final String TRANSPORT = "sse";
    static final String COOKIE = "halley_sse";

    // Session ids are the hub's, short and URL-safe; anything longer is not one of them.
    private static final int MAX_ID_LENGTH = 128;
    // 18 digits always fit a long, so parsing cannot overflow.
    private static final int MAX_SEQ_DIGITS = 18;

    private static final Logger LOG = LoggerFactory.getLogger(SseServlet.class);

    private final transient Hub hub;
    private final transient SseConfig config;
    private final transient Set<SseConnection> connections = ConcurrentHashMap.newKeySet();
    // One timer for every stream's heartbeat: an idle stream costs memory, not a thread.
    private final transient ScheduledExecutorService heartbeats;
    private volatile boolean stopped;

    @Activate
    public SseServlet(@Reference Hub hub, SseConfig config) {
        this.hub = hub;
        this.config = config;
        this.heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "halley-sse-heartbeat");
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
        for (SseConnection c : connections) {
            c.end();
        }
    }

    int openConnections() {
        return connections.size();
    }

    SseConfig config() {
        return config;
    }

    void removed(SseConnection connection) {
        connections.remove(connection);
    }

    private void heartbeat() {
        try {
            for (SseConnection c : connections) {
                c.heartbeat();
            }
        } catch (RuntimeException e) {
            // an exception would cancel the fixed-rate task for good
            LOG.warn("SSE heartbeat failed", e);
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
            fail(resp, ErrorCode.UNAVAILABLE, "the SSE transport is stopping");
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
            LOG.error("SSE request failed", e);
            fail(resp, ErrorCode.INTERNAL, "internal error");
        }
    }

    /** Client frames up: the body goes to the session as it is, the hub parses it. */
    private void post(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkQueryLength(req);
        String id;
        try {
            id = req.getParameter("session");
        } catch (RuntimeException e) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed query string");
        }
        if (id == null || id.isEmpty()) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "session= names the session the frames are for");
        }
        if (id.length() > MAX_ID_LENGTH) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "session id too long");
        }
        Session session = hub.findSession(id).filter(Session::isOpen)
                .orElseThrow(() -> new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id"));
        int accepted = session.handle(ClientFrames.read(req, hub.maxClientFrameSize()));
        byte[] body = ("{\"accepted\":" + accepted + "}").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_ACCEPTED);
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    private void checkQueryLength(HttpServletRequest req) {
        String query = req.getQueryString();
        if (query != null && query.length() > config.maxQueryLength()) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "query string too long");
        }
    }

    private void open(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkQueryLength(req);
        List<String> channels;
        String sessionParam;
        boolean protocol;
        try {
            channels = channels(req.getParameterValues("subscribe"));
            sessionParam = req.getParameter("session");
            protocol = protocol(req.getParameter("protocol"));
        } catch (HalleyException e) {
            throw e;
        } catch (RuntimeException e) {
            // the container's parser refuses bad percent-encoding this way
            throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed query string");
        }
        // the header wins: an EventSource that reconnects by itself sends it, newer than the
        // lastEventId parameter its first URL carried (it cannot set the header on a first
        // connect, so a client that switches to SSE passes its last seq in the URL)
        String header = req.getHeader("Last-Event-ID");
        long lastEventId = lastEventId(header != null && !header.isBlank() ? header : req.getParameter("lastEventId"));
        String remote = req.getRemoteAddr();
        SseConnection connection = null;
        Session session = null;
        long missed = 0;

        if (sessionParam != null) {
            if (sessionParam.length() > MAX_ID_LENGTH) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "session id too long");
            }
            session = hub.findSession(sessionParam).filter(Session::isOpen)
                    .orElseThrow(() -> new HalleyException(ErrorCode.UNKNOWN_SESSION,
                            "no open session with this id"));
            if (lastEventId > session.lastSeq()) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "Last-Event-ID is ahead of the session");
            }
            subscribeMore(session, channels);
            connection = new SseConnection(this, session, true, protocol);
            try {
                missed = session.attach(TRANSPORT, remote, connection, lastEventId);
            } catch (HalleyException e) {
                throw e.code() == ErrorCode.UNKNOWN_SESSION
                        ? new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id")
                        : e;
            }
        } else {
            // A cookie is EventSource reconnecting by itself: when its session is gone,
            // a 404 would make it give up for good, so it gets a new session instead.
            // Only an EventSource reconnecting by itself sends the header: a new page or a
            // second tab (cookie, no header) must not take over the session of another.
            String cookie = header == null || header.isBlank() ? null : cookie(req);
            Optional<Session> found = cookie == null ? Optional.empty() : resumable(cookie, lastEventId);
            if (found.isPresent()) {
                session = found.get();
                subscribeMore(session, channels);
                connection = new SseConnection(this, session, true, protocol);
                try {
                    missed = session.attach(TRANSPORT, remote, connection, lastEventId);
                } catch (HalleyException e) {
                    if (e.code() != ErrorCode.UNKNOWN_SESSION) {
                        throw e;
                    }
                    connection = null;
                }
            }
            if (connection == null) {
                session = newSession(remote, channels, protocol);
                connection = new SseConnection(this, session, false, protocol);
                missed = session.attach(TRANSPORT, remote, connection, -1);
            }
        }

        AsyncContext ctx;
        try {
            resp.setStatus(HttpServletResponse.SC_OK);
            resp.setContentType("text/event-stream;charset=utf-8");
            resp.setHeader("Cache-Control", "no-cache");
            resp.setHeader("X-Accel-Buffering", "no");
            resp.addHeader("Set-Cookie", COOKIE + "=" + session.id() + "; Path="
                    + req.getContextPath() + req.getServletPath() + "; HttpOnly; SameSite=Strict");
            ctx = req.startAsync();
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

    /**
     * @return the open session a cookie names, unless the client claims to have seen more
     *         than it holds: then the cookie cannot name the session those events came from
     */
    private Optional<Session> resumable(String id, long lastEventId) {
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return Optional.empty();
        }
        return hub.findSession(id).filter(s -> s.isOpen() && lastEventId <= s.lastSeq());
    }

    /** A protocol client subscribes with frames, so its session may start with no channel. */
    private Session newSession(String remote, List<String> channels, boolean protocol) {
        if (channels.isEmpty() && !protocol) {
            throw new HalleyException(ErrorCode.MISSING_CHANNEL, "subscribe names no channel");
        }
        return hub.openSession(TRANSPORT, remote, channels);
    }

    private void subscribeMore(Session session, List<String> channels) {
        Set<String> subscribed = session.subscriptions();
        for (String channel : channels) {
            if (!subscribed.contains(channel)) {
                session.subscribe(channel);
            }
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

    private static long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String value = header.trim();
        if (value.length() > MAX_SEQ_DIGITS || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "Last-Event-ID must be a decimal sequence number");
        }
        return Long.parseLong(value);
    }

    private static String cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (COOKIE.equals(c.getName())) {
                return c.getValue();
            }
        }
        return null;
    }

    private void fail(HttpServletResponse resp, ErrorCode code, String message) throws IOException {
        try {
            hub.countError(TRANSPORT, code);
        } catch (RuntimeException e) {
            LOG.debug("could not count an SSE error", e);
        }
        byte[] body = HalleyException.errorJson(code, message).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(code.httpStatus());
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
