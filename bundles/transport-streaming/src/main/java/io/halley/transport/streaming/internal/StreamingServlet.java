package io.halley.transport.streaming.internal;

import java.io.IOException;
import java.util.List;

import javax.servlet.Servlet;
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
public class StreamingServlet extends FrameStreamServlet<StreamConnection> {

    static final String PID = "io.halley.transport.streaming";
    static final String TRANSPORT = "streaming";

    private final transient StreamingConfig config;

    @Activate
    public StreamingServlet(@Reference Hub hub, StreamingConfig config) {
        super(hub, TRANSPORT, "streaming", config.maxQueryLength(), config.heartbeatInterval());
        this.config = config;
    }

    /** Ends every open stream; the sessions live on, so clients resume elsewhere. */
    @Deactivate
    public void deactivate() {
        stop(StreamConnection::end);
    }

    StreamingConfig config() {
        return config;
    }

    @Override
    protected void handleGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkQueryLength(req);
        List<String> channels = subscribeParam(req);
        boolean protocol = protocolParam(req);
        String sessionParam = param(req, "session");
        String lastSeqParam = param(req, "lastSeq");
        String remote = req.getRemoteAddr();
        Credentials credentials = credentials(req);
        Session session;
        StreamConnection connection;
        long missed;

        if (sessionParam != null) {
            session = liveSession(sessionParam, credentials);
            long lastSeq = lastSeqParam == null ? -1
                    : decimal(lastSeqParam, "lastSeq must be a decimal sequence number");
            if (lastSeq > session.lastSeq()) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "lastSeq is ahead of the session");
            }
            subscribeMore(session, channels);
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
            session = newSession(remote, credentials, channels, protocol);
            connection = new StreamConnection(this, session, false);
            missed = session.attach(TRANSPORT, remote, connection, -1);
        }
        stream(req, resp, "application/x-ndjson", session, connection, missed);
    }
}
