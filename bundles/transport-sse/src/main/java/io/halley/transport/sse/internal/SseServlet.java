package io.halley.transport.sse.internal;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import javax.servlet.Servlet;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.http.whiteboard.HttpWhiteboardConstants;
import org.osgi.service.metatype.annotations.Designate;

import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Session;
import io.halley.transport.http.FrameStreamServlet;

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
public class SseServlet extends FrameStreamServlet<SseConnection> {

    static final String PID = "io.halley.transport.sse";
    static final String TRANSPORT = "sse";
    static final String COOKIE = "halley_sse";

    private final transient SseConfig config;

    @Activate
    public SseServlet(@Reference Hub hub, SseConfig config) {
        super(hub, TRANSPORT, "SSE", config.maxQueryLength(), config.heartbeatInterval());
        this.config = config;
    }

    /** Ends every open stream; the sessions live on, so clients resume elsewhere. */
    @Deactivate
    public void deactivate() {
        stop(SseConnection::end);
    }

    SseConfig config() {
        return config;
    }

    @Override
    protected void handleGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkQueryLength(req);
        List<String> channels = subscribeParam(req);
        String sessionParam = param(req, "session");
        boolean protocol = protocolParam(req);

        // the header wins: an EventSource that reconnects by itself sends it, newer than the
        // lastEventId parameter its first URL carried (it cannot set the header on a first
        // connect, so a client that switches to SSE passes its last seq in the URL)
        String header = req.getHeader("Last-Event-ID");
        long lastEventId = lastEventId(header != null && !header.isBlank() ? header : req.getParameter("lastEventId"));
        String remote = req.getRemoteAddr();
        Credentials credentials = credentials(req);
        SseConnection connection = null;
        Session session = null;
        long missed = 0;

        if (sessionParam != null) {
            session = liveSession(sessionParam, credentials);
            if (lastEventId > session.lastSeq()) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "Last-Event-ID is ahead of the session");
            }
            subscribeMore(session, channels);
            connection = new SseConnection(this, session, true, protocol);
            try {
                missed = session.attach(TRANSPORT, remote, connection, lastEventId);
            } catch (HalleyException e) {
                throw e.code() == ErrorCode.UNKNOWN_SESSION ? unknownSession() : e;
            }
        } else {
            // A cookie is EventSource reconnecting by itself: when its session is gone,
            // a 404 would make it give up for good, so it gets a new session instead.
            // Only an EventSource reconnecting by itself sends the header: a new page or a
            // second tab (cookie, no header) must not take over the session of another.
            String cookie = header == null || header.isBlank() ? null : cookie(req);
            Optional<Session> found = cookie == null ? Optional.empty() : resumable(cookie, lastEventId, credentials);
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
                session = newSession(remote, credentials, channels, protocol);
                connection = new SseConnection(this, session, false, protocol);
                missed = session.attach(TRANSPORT, remote, connection, -1);
            }
        }

        stream(req, resp, "text/event-stream;charset=utf-8", session, connection, missed);
    }

    @Override
    protected void streamHeaders(HttpServletRequest req, HttpServletResponse resp, Session session) {
        resp.addHeader("Set-Cookie", COOKIE + "=" + session.id() + "; Path="
                + req.getContextPath() + req.getServletPath() + "; HttpOnly; SameSite=Strict");
    }

    /**
     * @return the open session a cookie names, unless the client claims to have seen more
     *         than it holds: then the cookie cannot name the session those events came from
     */
    private Optional<Session> resumable(String id, long lastEventId, Credentials credentials) {
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return Optional.empty();
        }
        try {
            Session s = hub().resume(id, credentials);
            return lastEventId <= s.lastSeq() ? Optional.of(s) : Optional.empty();
        } catch (HalleyException e) {
            if (e.code() == ErrorCode.UNKNOWN_SESSION) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        return decimal(header.trim(), "Last-Event-ID must be a decimal sequence number");
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
}
