package io.halley.rest.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.halley.api.ChannelInfo;
import io.halley.api.ChannelName;
import io.halley.api.ContentType;
import io.halley.api.CloseReason;
import io.halley.api.ErrorCode;
import io.halley.api.Session;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Publisher;
import io.halley.api.SessionInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API under {@code /halley/api}.
 *
 * <p>The whiteboard properties are plain strings rather than the
 * {@code @HttpWhiteboardServletPattern} property types: those add an
 * {@code osgi.implementation=osgi.http} requirement that Karaf's resolver would have to
 * find on Pax Web, for no gain here.
 */
@Component(
        service = Servlet.class,
        configurationPid = RestServlet.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = {
            "osgi.http.whiteboard.servlet.pattern=/halley/api/*",
            // Pax Web 8 drops the second of two unnamed servlets.
            "osgi.http.whiteboard.servlet.name=halley-rest"
        })
@Designate(ocd = RestConfig.class)
public class RestServlet extends HttpServlet {

    static final String PID = "io.halley.rest";

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RestServlet.class);
    private static final String SOURCE = "rest";
    private static final String JSON = "application/json";

    // Optional and dynamic: the API stays up and answers 503 while the broker or the
    // hub is gone, instead of disappearing into 404s.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Publisher publisher;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Hub hub;

    private final transient JsonFactory json = new JsonFactory();
    private transient volatile RestConfig config;

    @Activate
    @Modified
    void activate(RestConfig config) {
        this.config = config;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            route(req, resp);
        } catch (HalleyException e) {
            sendError(resp, e, null);
        } catch (RuntimeException e) {
            LOG.error("REST request {} {} failed", req.getMethod(), req.getRequestURI(), e);
            sendError(resp, new HalleyException(ErrorCode.INTERNAL, "internal error"), null);
        }
    }

    private void route(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        RestConfig cfg = config;
        List<String> path = PathSegments.split(relativeRawPath(req));
        String method = req.getMethod();
        if (path.size() == 3 && path.get(0).equals("channels") && path.get(2).equals("messages")
                && cfg.publishEnabled()) {
            if (allowed(method, "POST", req, resp)) {
                publish(req, resp, path.get(1));
            }
            return;
        }
        if (path.size() == 1 && cfg.adminEnabled()) {
            switch (path.get(0)) {
                case "channels" -> {
                    if (allowed(method, "GET", req, resp)) {
                        writeJson(resp, HttpServletResponse.SC_OK, g -> writeChannels(g, requireHub().channels()));
                    }
                    return;
                }
                case "sessions" -> {
                    if (allowed(method, "GET", req, resp)) {
                        writeJson(resp, HttpServletResponse.SC_OK, g -> writeSessions(g, requireHub().sessions()));
                    }
                    return;
                }
                case "stats" -> {
                    if (allowed(method, "GET", req, resp)) {
                        writeJson(resp, HttpServletResponse.SC_OK, g -> writeCounters(g, requireHub().counters()));
                    }
                    return;
                }
                default -> {
                    // falls through to 404
                }
            }
        }
        if (path.size() >= 2 && path.size() <= 3 && path.get(0).equals("sessions") && cfg.adminEnabled()) {
            // DELETE /sessions/<id> ends a session; POST /sessions/<id>/disconnect drops
            // its connection and keeps it (the client resumes)
            boolean disconnect = path.size() == 3 && path.get(2).equals("disconnect");
            if (path.size() == 2 || disconnect) {
                if (allowed(method, disconnect ? "POST" : "DELETE", req, resp)) {
                    Session session = requireHub().findSession(path.get(1)).orElseThrow(() ->
                            new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id"));
                    if (disconnect) {
                        boolean dropped = session.disconnect();
                        writeJson(resp, HttpServletResponse.SC_OK, g -> {
                            g.writeStartObject();
                            g.writeBooleanField("disconnected", dropped);
                            g.writeEndObject();
                        });
                    } else {
                        session.close(CloseReason.CLOSED_BY_ADMIN);
                        resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
                    }
                }
                return;
            }
        }
        throw new HalleyException(ErrorCode.NOT_FOUND, "no such resource: " + printable(req.getRequestURI()));
    }

    /** Answers OPTIONS and a wrong method; true when the request is for {@code allow}. */
    private boolean allowed(String method, String allow, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        if (method.equals(allow)) {
            return true;
        }
        String allowHeader = allow + ", OPTIONS";
        if (method.equals("OPTIONS")) {
            resp.setHeader("Allow", allowHeader);
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return false;
        }
        sendError(resp, new HalleyException(ErrorCode.METHOD_NOT_ALLOWED,
                printable(method) + " is not allowed here; use " + allow), allowHeader);
        return false;
    }

    private void publish(HttpServletRequest req, HttpServletResponse resp, String rawChannel) throws IOException {
        // Everything that can be refused from the headers is refused before the body is read.
        String channel = ChannelName.requireChannel(PathSegments.decodeChannel(rawChannel));
        ContentType type = BodyTypes.of(req.getContentType());
        Publisher p = publisher;
        if (p == null) {
            throw new HalleyException(ErrorCode.UNAVAILABLE, "the broker is not available; try again later");
        }
        int max = p.maxMessageSize();
        long declared = req.getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max);
        }
        byte[] body;
        try {
            body = readAtMost(req.getInputStream(), max);
        } catch (IOException | RuntimeException e) {
            if (e instanceof HalleyException he) {
                throw he;
            }
            // A client that went away or sent a broken chunked body; nothing for the log's error level.
            LOG.debug("could not read a REST request body", e);
            throw new HalleyException(ErrorCode.BAD_REQUEST, "could not read the request body");
        }
        String id = p.publish(channel, body, type);
        writeJson(resp, HttpServletResponse.SC_ACCEPTED, g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("channel", channel);
            g.writeEndObject();
        });
    }

    /** Reads at most {@code max} bytes; a chunked body that goes on past it is refused without reading the rest. */
    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192) + 1);
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf, 0, (int) Math.min(buf.length, max + 1L - total))) > 0) {
            total += n;
            if (total > max) {
                throw tooLarge(max);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static HalleyException tooLarge(int max) {
        return new HalleyException(ErrorCode.TOO_LARGE, "the message is larger than " + max + " bytes");
    }

    private Hub requireHub() {
        Hub h = hub;
        if (h == null) {
            throw new HalleyException(ErrorCode.UNAVAILABLE, "the hub is not available; try again later");
        }
        return h;
    }

    /** The request path below the servlet, still percent-encoded. */
    private static String relativeRawPath(HttpServletRequest req) {
        String uri = req.getRequestURI();
        String prefix = req.getContextPath() + req.getServletPath();
        if (uri != null && uri.startsWith(prefix)) {
            return uri.substring(prefix.length());
        }
        // Only when the context or servlet path had escaped characters; no channel route then.
        return req.getPathInfo();
    }

    private void sendError(HttpServletResponse resp, HalleyException e, String allow) throws IOException {
        Hub h = hub;
        if (h != null) {
            try {
                h.countError(SOURCE, e.code());
            } catch (RuntimeException countFailed) {
                LOG.debug("could not count a REST error", countFailed);
            }
        }
        if (resp.isCommitted()) {
            LOG.debug("REST response already committed; not sending {}", e.code().code());
            return;
        }
        resp.reset();
        if (allow != null) {
            resp.setHeader("Allow", allow);
        }
        if (e.code() == ErrorCode.TOO_LARGE) {
            // The rest of the body is not read; closing beats draining megabytes for nothing.
            resp.setHeader("Connection", "close");
        }
        write(resp, e.code().httpStatus(), e.toJson().getBytes(StandardCharsets.UTF_8));
    }

    @FunctionalInterface
    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    private void writeJson(HttpServletResponse resp, int status, JsonBody body) throws IOException {
        // Rendered first, so that a failure half-way still gets a clean error response.
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out, JsonEncoding.UTF8)) {
            body.write(g);
        }
        write(resp, status, out.toByteArray());
    }

    private static void write(HttpServletResponse resp, int status, byte[] bytes) throws IOException {
        resp.setStatus(status);
        // No charset parameter: application/json is UTF-8 by definition (RFC 8259).
        resp.setContentType(JSON);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    static void writeChannels(JsonGenerator g, List<ChannelInfo> channels) throws IOException {
        g.writeStartArray();
        for (ChannelInfo c : channels) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeNumberField("subscribers", c.subscribers());
            g.writeNumberField("messages", c.messages());
            g.writeNumberField("lastOffset", c.lastOffset());
            g.writeNumberField("lastMessageAt", c.lastMessageAt());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void writeSessions(JsonGenerator g, List<SessionInfo> sessions) throws IOException {
        g.writeStartArray();
        for (SessionInfo s : sessions) {
            g.writeStartObject();
            g.writeStringField("id", s.id());
            g.writeStringField("transport", s.transport());
            g.writeStringField("remoteAddress", s.remoteAddress());
            g.writeNumberField("createdAt", s.createdAt());
            g.writeBooleanField("connected", s.connected());
            g.writeArrayFieldStart("subscriptions");
            if (s.subscriptions() != null) {
                for (String sub : new TreeSet<>(s.subscriptions())) {
                    g.writeString(sub);
                }
            }
            g.writeEndArray();
            g.writeNumberField("queued", s.queued());
            g.writeNumberField("lastSeq", s.lastSeq());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void writeCounters(JsonGenerator g, Map<String, Long> counters) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, Long> e : new TreeMap<>(counters).entrySet()) {
            g.writeFieldName(e.getKey());
            if (e.getValue() == null) {
                g.writeNull();
            } else {
                g.writeNumber(e.getValue());
            }
        }
        g.writeEndObject();
    }

    private static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 120; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (s.length() > 120) {
            b.append("...");
        }
        return b.toString();
    }
}
