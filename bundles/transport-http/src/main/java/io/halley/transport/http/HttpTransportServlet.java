package io.halley.transport.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;

import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.annotation.versioning.ConsumerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Session;

/**
 * The servlet of an HTTP transport, which says only how a {@code GET} opens or resumes a
 * session and answers it ({@link #handleGet}). The rest is the same on every HTTP
 * transport (see docs/protocol.md) and lives here:
 * <ul>
 * <li>{@code GET} and {@code POST} only; any other method gets {@code 405} with
 *     {@code Allow: GET, POST}.</li>
 * <li>Once {@linkplain #stop stopping}, every request gets {@code 503}
 *     {@code unavailable}.</li>
 * <li>A {@code POST ?session=<id>} carries client frames ({@link ClientFrames#read}) to
 *     that open session and is answered {@code 202 {"accepted":<n>}}.</li>
 * <li>A {@link HalleyException} becomes its documented status and JSON error body
 *     ({@link HalleyException#errorJson}); any other failure is logged and becomes
 *     {@code 500 internal}. Every error is {@linkplain Hub#countError counted} under the
 *     transport's name.</li>
 * <li>The transport's open connections (streams, waiting polls) are registered here, so
 *     that stopping reaches each of them, and one timer thread serves all of them
 *     (heartbeats, poll timeouts): an idle connection costs memory, not a thread.</li>
 * </ul>
 *
 * <p>A transport keeps its Declarative Services component on its own subclass, with its
 * own configuration, and calls {@link #stop} from its deactivate method.
 *
 * @param <C> the transport's open connection
 */
@ConsumerType
public abstract class HttpTransportServlet<C> extends HttpServlet {

    /** Session ids are the hub's, short and URL-safe; anything longer is not one of them. */
    protected static final int MAX_ID_LENGTH = 128;
    // 18 digits always fit a long, so parsing cannot overflow.
    private static final int MAX_DIGITS = 18;

    private final transient Logger log = LoggerFactory.getLogger(getClass());
    private final transient Hub hub;
    private final String transport;
    private final String name;
    private final int maxQueryLength;
    private final transient Set<C> connections = ConcurrentHashMap.newKeySet();
    private final transient ScheduledThreadPoolExecutor timer;
    private volatile boolean stopped;

    /**
     * @param hub            the hub
     * @param transport      the transport's name for the hub and operators, such as
     *                       {@code sse}; errors are counted under it
     * @param name           the transport's name for people, such as {@code SSE}, in
     *                       the {@code 503} while it stops
     * @param maxQueryLength requests with a longer query string get {@code bad_request}
     */
    protected HttpTransportServlet(Hub hub, String transport, String name, int maxQueryLength) {
        this.hub = hub;
        this.transport = transport;
        this.name = name;
        this.maxQueryLength = maxQueryLength;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "halley-" + transport + "-timer");
            t.setDaemon(true);
            return t;
        });
        // most poll timeouts are cancelled by an answer: drop them at once, not when due
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Answers a {@code GET}, which has passed the method and stopping checks. A
     * {@link HalleyException} it throws is answered with its error.
     */
    protected abstract void handleGet(HttpServletRequest req, HttpServletResponse resp) throws IOException;

    /** @return the hub */
    protected final Hub hub() {
        return hub;
    }

    /** @return the transport's name for the hub, as in {@link Session#attach} */
    protected final String transport() {
        return transport;
    }

    /** @return the one timer thread of this transport; stopped by {@link #stop} */
    protected final ScheduledExecutorService timer() {
        return timer;
    }

    /** @return whether {@link #stop} was called: a connection opened meanwhile must end */
    protected final boolean stopping() {
        return stopped;
    }

    /** Registers an open connection, so that {@link #stop} reaches it. */
    protected final void opened(C connection) {
        connections.add(connection);
    }

    /** Forgets a connection that ended. */
    public final void removed(C connection) {
        connections.remove(connection);
    }

    /** @return how many connections are open */
    public final int openConnections() {
        return connections.size();
    }

    /** Calls {@code action} for each open connection. */
    protected final void forEachConnection(Consumer<? super C> action) {
        connections.forEach(action);
    }

    /**
     * Refuses every request from now on, stops the timer and lets go of each open
     * connection. The sessions live on, so that their clients resume elsewhere.
     *
     * @param release how a connection lets go, without blocking
     */
    protected final void stop(Consumer<? super C> release) {
        stopped = true;
        timer.shutdownNow();
        connections.forEach(release);
    }

    @Override
    protected final void service(HttpServletRequest req, HttpServletResponse resp)
            throws ServletException, IOException {
        boolean post = "POST".equals(req.getMethod());
        if (!post && !"GET".equals(req.getMethod())) {
            resp.setHeader("Allow", "GET, POST");
            fail(resp, ErrorCode.METHOD_NOT_ALLOWED, "only GET and POST are allowed");
            return;
        }
        if (stopped) {
            fail(resp, ErrorCode.UNAVAILABLE, "the " + name + " transport is stopping");
            return;
        }
        try {
            if (post) {
                post(req, resp);
            } else {
                handleGet(req, resp);
            }
        } catch (HalleyException e) {
            fail(resp, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("{} request failed", name, e);
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
        int accepted = liveSession(id, credentials(req)).handle(ClientFrames.read(req, hub.maxClientFrameSize()));
        byte[] body = ("{\"accepted\":" + accepted + "}").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_ACCEPTED);
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }

    /** @throws HalleyException {@code bad_request} when the query string is too long */
    protected final void checkQueryLength(HttpServletRequest req) {
        String query = req.getQueryString();
        if (query != null && query.length() > maxQueryLength) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "query string too long");
        }
    }

    /**
     * @return the parameter, or null
     * @throws HalleyException {@code bad_request} when the query string is malformed
     */
    protected static String param(HttpServletRequest req, String name) {
        try {
            return req.getParameter(name);
        } catch (RuntimeException e) {
            // the container's parser refuses bad percent-encoding this way
            throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed query string");
        }
    }

    /**
     * Reads the channels of the {@code subscribe} parameters, comma separated, without
     * duplicates; the hub checks the names themselves.
     *
     * @throws HalleyException {@code too_many_channels} beyond the hub's maximum,
     *         {@code bad_request} when the query string is malformed
     */
    protected final List<String> subscribeParam(HttpServletRequest req) {
        try {
            return channels(req.getParameterValues("subscribe"));
        } catch (HalleyException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "malformed query string");
        }
    }

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

    /**
     * @return whether the client speaks the full protocol ({@code protocol=1})
     * @throws HalleyException {@code bad_request} for any other value
     */
    protected static boolean protocolParam(HttpServletRequest req) {
        String value = param(req, "protocol");
        if (value == null) {
            return false;
        }
        if (!"1".equals(value)) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "protocol must be 1");
        }
        return true;
    }

    /**
     * @return a decimal number of at most 18 digits
     * @throws HalleyException {@code bad_request} with {@code error} for anything else
     */
    protected static long decimal(String value, String error) {
        if (value.isEmpty() || value.length() > MAX_DIGITS) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, error);
        }
        // a loop, not a stream: every long-poll parses its cursor and timeout here
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new HalleyException(ErrorCode.BAD_REQUEST, error);
            }
        }
        return Long.parseLong(value);
    }

    /**
     * The credentials a request carries: its {@code Authorization} header ({@code Basic}
     * or {@code Bearer}), or else a {@code token} parameter (what an {@code EventSource},
     * which cannot set headers, can send); none makes the client anonymous.
     *
     * @throws HalleyException {@code unauthorized} for a malformed header
     */
    protected static Credentials credentials(HttpServletRequest req) {
        String header = req.getHeader("Authorization");
        if (header != null && !header.isBlank()) {
            return Credentials.fromAuthorization(header);
        }
        return Credentials.bearer(param(req, "token"));
    }

    /**
     * @return the open session with this id, which these credentials may resume
     * @throws HalleyException {@code bad_request} for an id too long to be one,
     *         {@code unauthorized} for wrong credentials, {@code unknown_session} when
     *         there is no such open session or it belongs to another subject
     */
    protected final Session liveSession(String id, Credentials credentials) {
        if (id.length() > MAX_ID_LENGTH) {
            throw new HalleyException(ErrorCode.BAD_REQUEST, "session id too long");
        }
        return hub.resume(id, credentials);
    }

    /** @return the error of a session id that names no open session */
    protected static HalleyException unknownSession() {
        return new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id");
    }

    /**
     * Opens a session for this transport. A protocol client subscribes with frames, so
     * its session may start with no channel.
     *
     * @throws HalleyException {@code missing_channel} when a plain client names no channel,
     *         or what {@link Hub#openSession} throws ({@code unauthorized}, {@code forbidden}, ...)
     */
    protected final Session newSession(String remote, Credentials credentials, List<String> channels, boolean protocol) {
        if (channels.isEmpty() && !protocol) {
            throw new HalleyException(ErrorCode.MISSING_CHANNEL, "subscribe names no channel");
        }
        return hub.openSession(transport, remote, credentials, channels);
    }

    /** Adds the channels a resuming request names that the session lacks. */
    protected static void subscribeMore(Session session, List<String> channels) {
        Set<String> subscribed = session.subscriptions();
        for (String channel : channels) {
            if (!subscribed.contains(channel)) {
                session.subscribe(channel);
            }
        }
    }

    /**
     * Answers with an error: its status and documented JSON body, counted under the
     * transport's name.
     */
    protected final void fail(HttpServletResponse resp, ErrorCode code, String message) throws IOException {
        try {
            hub.countError(transport, code);
        } catch (RuntimeException e) {
            log.debug("could not count a {} error", name, e);
        }
        byte[] body = HalleyException.errorJson(code, message).getBytes(StandardCharsets.UTF_8);
        resp.setStatus(code.httpStatus());
        if (code == ErrorCode.UNAUTHORIZED) {
            // Bearer, not Basic: a browser must not pop up a login dialog for a transport
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"halley\"");
        }
        resp.setContentType("application/json");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
