package io.halley.transport.longpoll.internal;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import javax.servlet.AsyncContext;
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
import io.halley.transport.http.HttpTransportServlet;

/**
 * Long-polling at {@code /halley/poll}: a GET opens a session (or continues one from
 * its cursor) and waits until frames arrive or its timeout passes, then answers them
 * all at once. Between polls the session keeps the frames; the cursor of each answer
 * acknowledges them on the next poll. A POST carries the client frames of a
 * {@code protocol=1} client up to its session.
 */
@Component(
        service = Servlet.class,
        configurationPid = LongPollServlet.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_PATTERN + "=/halley/poll",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_NAME + "=halley-longpoll",
            HttpWhiteboardConstants.HTTP_WHITEBOARD_SERVLET_ASYNC_SUPPORTED + "=true"
        })
@Designate(ocd = LongPollConfig.class)
public class LongPollServlet extends HttpTransportServlet<LongPoll> {

    static final String PID = "io.halley.transport.longpoll";
    static final String TRANSPORT = "longpoll";

    private final transient LongPollConfig config;

    @Activate
    public LongPollServlet(@Reference Hub hub, LongPollConfig config) {
        super(hub, TRANSPORT, "long-polling", config.maxQueryLength());
        this.config = config;
    }

    /** Answers every waiting poll at once; the sessions live on for the next poll. */
    @Deactivate
    public void deactivate() {
        stop(LongPoll::answerWithoutFrames);
    }

    int waitingPolls() {
        return openConnections();
    }

    LongPollConfig config() {
        return config;
    }

    @Override
    protected void handleGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkQueryLength(req);
        List<String> channels = subscribeParam(req);
        String cursor = param(req, "cursor");
        String timeoutParam = param(req, "timeout");
        boolean protocol = protocolParam(req);
        long timeout = Math.min(timeoutParam == null ? config.timeout()
                : decimal(timeoutParam, "timeout must be a decimal number of milliseconds"), config.maxTimeout());
        String remote = req.getRemoteAddr();
        Credentials credentials = credentials(req);

        Session session;
        long startSeq;
        if (cursor != null) {
            int colon = cursor.lastIndexOf(':');
            if (colon <= 0 || colon > MAX_ID_LENGTH) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed cursor");
            }
            startSeq = decimal(cursor.substring(colon + 1), "malformed cursor");
            try {
                session = liveSession(cursor.substring(0, colon), credentials);
            } catch (HalleyException e) {
                throw e.code() == ErrorCode.UNKNOWN_SESSION ? unknownCursor() : e;
            }
            if (startSeq > session.lastSeq()) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "the cursor is ahead of its session");
            }
            subscribeMore(session, channels);
        } else {
            session = newSession(remote, credentials, channels, protocol);
            startSeq = 0;
        }
        // A new protocol session answers at once: the client needs its cursor (and its id,
        // to POST frames) before anything can arrive for it.
        boolean announce = protocol && cursor == null;

        // Async before attach: attaching may call the listener back at once.
        AsyncContext ctx = req.startAsync();
        ctx.setTimeout(0); // the timer below answers in time; the container must not
        LongPoll poll = new LongPoll(this, session, ctx, startSeq, announce);
        ctx.addListener(poll);
        opened(poll);
        long missed;
        try {
            // a cursor acknowledges everything up to its seq and resends what follows
            missed = session.attach(TRANSPORT, remote, poll, cursor == null ? -1 : startSeq);
        } catch (HalleyException e) {
            removed(poll);
            fail(resp, e.code() == ErrorCode.UNKNOWN_SESSION ? ErrorCode.UNKNOWN_CURSOR : e.code(),
                    e.code() == ErrorCode.UNKNOWN_SESSION ? unknownCursor().getMessage() : e.getMessage());
            ctx.complete();
            return;
        }
        poll.attached(missed);
        if (stopping() || announce || timeout <= 0 || session.hasPending() || poll.closeSignalled()) {
            poll.answer();
        } else {
            try {
                poll.timeoutAfter(timer().schedule(poll::timedOut, timeout, TimeUnit.MILLISECONDS));
            } catch (RejectedExecutionException e) {
                poll.answer(); // deactivated meanwhile
            }
        }
    }

    private static HalleyException unknownCursor() {
        return new HalleyException(ErrorCode.UNKNOWN_CURSOR, "the cursor names no open session");
    }
}
