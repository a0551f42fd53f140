package io.halley.transport.longpoll.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
public class LongPollServlet extends HttpServlet {

    static final String PID = "io.halley.transport.longpoll";
    static final String TRANSPORT = "longpoll";

    // Session ids are the hub's, short and URL-safe; anything longer is not one of them.
    private static final int MAX_ID_LENGTH = 128;
    // 18 digits always fit a long, so parsing cannot overflow.
    private static final int MAX_DIGITS = 18;

    private static final Logger LOG = LoggerFactory.getLogger(LongPollServlet.class);

    private final transient Hub hub;
    private final transient LongPollConfig config;
    private final transient Set<LongPoll> waiting = ConcurrentHashMap.newKeySet();
    // One timer thread for every waiting poll's timeout: a waiting poll holds no thread.
    private final transient ScheduledExecutorService timer;
    private volatile boolean stopped;

    @Activate
    public LongPollServlet(@Reference Hub hub, LongPollConfig config) {
        this.hub = hub;
        this.config = config;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "halley-longpoll-timeout");
            thread.setDaemon(true);
            return thread;
        });
        // most polls are answered before their timeout: drop the cancelled timers at once
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /** Answers every waiting poll at once; the sessions live on for the next poll. */
    @Deactivate
    public void deactivate() {
        stopped = true;
        timer.shutdownNow();
        for (LongPoll p : waiting) {
            p.answerWithoutFrames();
        }
    }

    int waitingPolls() {
        return waiting.size();
    }

    LongPollConfig config() {
        return config;
    }

    void removed(LongPoll poll) {
        waiting.remove(poll);
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
            fail(resp, ErrorCode.UNAVAILABLE, "the long-polling transport is stopping");
            return;
        }
        try {
            if (post) {
                post(req, resp);
            } else {
                poll(req, resp);
            }
        } catch (HalleyException e) {
            fail(resp, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("long-poll request failed", e);
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

    private void poll(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        checkQueryLength(req);
        List<String> channels;
        String cursor;
        String timeoutParam;
        boolean protocol;
        try {
            channels = channels(req.getParameterValues("subscribe"));
            cursor = req.getParameter("cursor");
            timeoutParam = req.getParameter("timeout");
            protocol = protocol(req.getParameter("protocol"));
        } catch (HalleyException e) {
            throw e;
        } catch (RuntimeException e) {
            // the container's parser refuses bad percent-encoding this way
            throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed query string");
        }
        long timeout = Math.min(timeoutParam == null ? config.timeout()
                : number(timeoutParam, "timeout must be a decimal number of milliseconds"), config.maxTimeout());
        String remote = req.getRemoteAddr();

        Session session;
        long startSeq;
        if (cursor != null) {
            int colon = cursor.lastIndexOf(':');
            if (colon <= 0 || colon > MAX_ID_LENGTH) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed cursor");
            }
            startSeq = number(cursor.substring(colon + 1), "malformed cursor");
            session = hub.findSession(cursor.substring(0, colon)).filter(Session::isOpen)
                    .orElseThrow(LongPollServlet::unknownCursor);
            if (startSeq > session.lastSeq()) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "the cursor is ahead of its session");
            }
            Set<String> subscribed = session.subscriptions();
            for (String channel : channels) {
                if (!subscribed.contains(channel)) {
                    session.subscribe(channel);
                }
            }
        } else {
            // a protocol client subscribes with frames, so its session may start with no channel
            if (channels.isEmpty() && !protocol) {
                throw new HalleyException(ErrorCode.MISSING_CHANNEL, "subscribe names no channel");
            }
            session = hub.openSession(TRANSPORT, remote, channels);
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
        waiting.add(poll);
        long missed;
        try {
            // a cursor acknowledges everything up to its seq and resends what follows
            missed = session.attach(TRANSPORT, remote, poll, cursor == null ? -1 : startSeq);
        } catch (HalleyException e) {
            waiting.remove(poll);
            fail(resp, e.code() == ErrorCode.UNKNOWN_SESSION ? ErrorCode.UNKNOWN_CURSOR : e.code(),
                    e.code() == ErrorCode.UNKNOWN_SESSION ? unknownCursor().getMessage() : e.getMessage());
            ctx.complete();
            return;
        }
        poll.attached(missed);
        if (stopped || announce || timeout <= 0 || session.hasPending() || poll.closeSignalled()) {
            poll.answer();
        } else {
            try {
                poll.timeoutAfter(timer.schedule(poll::timedOut, timeout, TimeUnit.MILLISECONDS));
            } catch (RejectedExecutionException e) {
                poll.answer(); // deactivated meanwhile
            }
        }
    }

    private static HalleyException unknownCursor() {
        return new HalleyException(ErrorCode.UNKNOWN_CURSOR, "the cursor names no open session");
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

    private static long number(String s, String error) {
        if (s.isEmpty() || s.length() > MAX_DIGITS || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, error);
        }
        return Long.parseLong(s);
    }

    void fail(HttpServletResponse resp, ErrorCode code, String message) throws IOException {
        try {
            hub.countError(TRANSPORT, code);
        } catch (RuntimeException e) {
            LOG.debug("could not count a long-poll error", e);
        }
        byte[] body = HalleyException.errorJson(code, message).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(code.httpStatus());
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
