package io.halley.rest.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.ApiKeys;
import io.halley.api.Authenticator;
import io.halley.api.Subject;
import io.halley.api.ChannelInfo;
import io.halley.api.ChannelName;
import io.halley.api.ContentType;
import io.halley.api.CloseReason;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.Identity;
import io.halley.api.Permission;
import io.halley.api.Session;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Publisher;
import io.halley.api.SessionInfo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
    private static final Logger AUDIT = LoggerFactory.getLogger("io.halley.audit");
    private static final String SOURCE = "rest";
    private static final String JSON = "application/json";
    private static final String CHALLENGE = "Basic realm=\"halley\"";
    /** The largest rule body accepted; a rule is a few hundred bytes. */
    static final int MAX_RULE_BODY = 16 * 1024;

    // Optional and dynamic: the API stays up and answers 503 while the broker or the
    // hub is gone, instead of disappearing into 404s.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Publisher publisher;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Hub hub;

    // Without it, only anonymous requests get through (credentials it cannot check get 503).
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Authenticator authenticator;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile AccessControl acl;

    // Only for the roles of key:NAME in GET /acl/check.
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile ApiKeys apiKeys;

    private final transient JsonFactory json = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
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
            if (allowed(method, req, resp, "POST")) {
                publish(req, resp, path.get(1));
            }
            return;
        }
        if (!cfg.adminEnabled() || path.isEmpty()) {
            throw notFound(req);
        }
        if (path.size() == 1) {
            switch (path.get(0)) {
                case "channels" -> {
                    if (allowed(method, req, resp, "GET")) {
                        requireAdmin(req, cfg);
                        writeJson(resp, HttpServletResponse.SC_OK, g -> writeChannels(g, requireHub().channels()));
                    }
                    return;
                }
                case "sessions" -> {
                    if (allowed(method, req, resp, "GET")) {
                        requireAdmin(req, cfg);
                        writeJson(resp, HttpServletResponse.SC_OK, g -> writeSessions(g, requireHub().sessions()));
                    }
                    return;
                }
                case "stats" -> {
                    if (allowed(method, req, resp, "GET")) {
                        requireAdmin(req, cfg);
                        Map<String, Long> counters = new java.util.TreeMap<>(requireHub().counters());
                        Authenticator auth = authenticator;
                        if (auth != null) {
                            counters.putAll(auth.counters()); // why logins were refused, by reason
                        }
                        writeJson(resp, HttpServletResponse.SC_OK, g -> writeCounters(g, counters));
                    }
                    return;
                }
                case "acl" -> {
                    if (allowed(method, req, resp, "GET", "POST")) {
                        Identity who = requireAdmin(req, cfg);
                        if (method.equals("GET")) {
                            List<AclRule> rules = requireAcl().rules();
                            writeJson(resp, HttpServletResponse.SC_OK, g -> writeRules(g, rules));
                        } else {
                            addRule(req, resp, who);
                        }
                    }
                    return;
                }
                default -> throw notFound(req);
            }
        }
        if (path.size() == 2 && path.get(0).equals("acl")) {
            // "check" is also a valid rule id: GET is the check, PUT and DELETE the rule
            String id = path.get(1);
            boolean check = id.equals("check");
            if (check ? allowed(method, req, resp, "GET", "PUT", "DELETE") : allowed(method, req, resp, "PUT", "DELETE")) {
                Identity who = requireAdmin(req, cfg);
                switch (method) {
                    case "GET" -> checkRule(req, resp);
                    case "PUT" -> replaceRule(req, resp, who, id);
                    default -> removeRule(resp, who, id);
                }
            }
            return;
        }
        if (path.size() >= 2 && path.size() <= 3 && path.get(0).equals("sessions")) {
            // DELETE /sessions/<id> ends a session; POST /sessions/<id>/disconnect drops
            // its connection and keeps it (the client resumes)
            boolean disconnect = path.size() == 3 && path.get(2).equals("disconnect");
            if (path.size() == 2 || disconnect) {
                if (allowed(method, req, resp, disconnect ? "POST" : "DELETE")) {
                    Identity who = requireAdmin(req, cfg);
                    Session session = requireHub().findSession(path.get(1)).orElseThrow(() ->
                            new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id"));
                    if (disconnect) {
                        boolean dropped = session.disconnect();
                        AUDIT.info("session: disconnected {} (by {} via rest)", session.id(), who);
                        writeJson(resp, HttpServletResponse.SC_OK, g -> {
                            g.writeStartObject();
                            g.writeBooleanField("disconnected", dropped);
                            g.writeEndObject();
                        });
                    } else {
                        session.close(CloseReason.CLOSED_BY_ADMIN);
                        AUDIT.info("session: closed {} (by {} via rest)", session.id(), who);
                        resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
                    }
                }
                return;
            }
        }
        throw notFound(req);
    }

    private static HalleyException notFound(HttpServletRequest req) {
        return new HalleyException(ErrorCode.NOT_FOUND, "no such resource: " + printable(req.getRequestURI()));
    }

    /** Answers OPTIONS and a wrong method; true when the request is for one of {@code methods}. */
    private boolean allowed(String method, HttpServletRequest req, HttpServletResponse resp, String... methods)
            throws IOException {
        for (String m : methods) {
            if (m.equals(method)) {
                return true;
            }
        }
        String allowHeader = String.join(", ", methods) + ", OPTIONS";
        if (method.equals("OPTIONS")) {
            resp.setHeader("Allow", allowHeader);
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return false;
        }
        sendError(resp, new HalleyException(ErrorCode.METHOD_NOT_ALLOWED,
                printable(method) + " is not allowed here; use " + String.join(" or ", methods)), allowHeader);
        return false;
    }

    // --- who is asking

    /**
     * @return who sent the request, from its {@code Authorization} header
     * @throws HalleyException {@link ErrorCode#UNAUTHORIZED} for wrong or malformed credentials,
     *         {@link ErrorCode#UNAVAILABLE} for credentials while nothing can check them
     */
    private Identity identify(HttpServletRequest req) {
        Credentials credentials = Credentials.fromAuthorization(req.getHeader("Authorization"));
        Authenticator auth = authenticator;
        if (auth == null) {
            if (credentials.isNone()) {
                return Identity.anonymous();
            }
            throw new HalleyException(ErrorCode.UNAVAILABLE, "authentication is not available; try again later");
        }
        Identity who = auth.authenticate(credentials);
        if (who == null || who.isExpired(System.currentTimeMillis())) {
            throw Credentials.unauthorized();
        }
        return who;
    }

    private Identity requireAdmin(HttpServletRequest req, RestConfig cfg) {
        Identity who = identify(req);
        if (who.isAnonymous()) {
            throw new HalleyException(ErrorCode.UNAUTHORIZED, "authentication required");
        }
        if (who.kind() != Identity.Kind.SYSTEM && !who.hasRole(cfg.adminRole())) {
            throw new HalleyException(ErrorCode.FORBIDDEN, "the " + cfg.adminRole() + " role is required");
        }
        return who;
    }

    // --- publishing

    private void publish(HttpServletRequest req, HttpServletResponse resp, String rawChannel) throws IOException {
        // Everything that can be refused from the headers is refused before the body is read.
        Identity who = identify(req);
        String channel = ChannelName.requireChannel(PathSegments.decodeChannel(rawChannel));
        ContentType type = BodyTypes.of(req.getContentType());
        Publisher p = publisher;
        if (p == null) {
            throw new HalleyException(ErrorCode.UNAVAILABLE, "the broker is not available; try again later");
        }
        // An early answer only, to spare reading a body that would be refused: the
        // publisher checks again, and is the one that counts.
        AccessControl a = acl;
        if (a != null && !a.isAllowed(who, channel, Permission.PUBLISH)) {
            throw new HalleyException(ErrorCode.FORBIDDEN, "publishing to " + channel + " is not allowed");
        }
        int max = p.maxMessageSize();
        long declared = req.getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max, "message");
        }
        byte[] body = readBody(req, max, "message");
        String id = p.publish(who, channel, body, type);
        writeJson(resp, HttpServletResponse.SC_ACCEPTED, g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("channel", channel);
            g.writeEndObject();
        });
    }

    private static byte[] readBody(HttpServletRequest req, int max, String what) {
        try {
            return readAtMost(req.getInputStream(), max, what);
        } catch (IOException | RuntimeException e) {
            if (e instanceof HalleyException he) {
                throw he;
            }
            // A client that went away or sent a broken chunked body; nothing for the log's error level.
            LOG.debug("could not read a REST request body", e);
            throw new HalleyException(ErrorCode.BAD_REQUEST, "could not read the request body");
        }
    }

    /** Reads at most {@code max} bytes; a chunked body that goes on past it is refused without reading the rest. */
    private static byte[] readAtMost(InputStream in, int max, String what) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192) + 1);
        byte[] buf = new byte[8192];
        long total = 0;
        int n;
        while ((n = in.read(buf, 0, (int) Math.min(buf.length, max + 1L - total))) > 0) {
            total += n;
            if (total > max) {
                throw tooLarge(max, what);
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static HalleyException tooLarge(int max, String what) {
        return new HalleyException(ErrorCode.TOO_LARGE, "the " + what + " is larger than " + max + " bytes");
    }

    // --- channel permissions

    private void addRule(HttpServletRequest req, HttpServletResponse resp, Identity who) throws IOException {
        AccessControl a = requireAcl();
        AclRule stored = a.add(readRule(req, null));
        AUDIT.info("acl: added {} {} (by {} via rest)", stored.id(), stored, who);
        resp.setHeader("Location", req.getContextPath() + req.getServletPath() + "/acl/" + stored.id());
        writeJson(resp, HttpServletResponse.SC_CREATED, g -> writeRule(g, stored));
    }

    private void replaceRule(HttpServletRequest req, HttpServletResponse resp, Identity who, String id)
            throws IOException {
        AccessControl a = requireAcl();
        AclRule rule = readRule(req, id);
        Optional<AclRule> before = a.rule(id);
        if (before.isEmpty() || !a.update(rule)) {
            throw unknownRule();
        }
        AUDIT.info("acl: changed {} from {} to {} (by {} via rest)", id, before.get(), rule, who);
        writeJson(resp, HttpServletResponse.SC_OK, g -> writeRule(g, rule));
    }

    private void removeRule(HttpServletResponse resp, Identity who, String id) {
        AccessControl a = requireAcl();
        Optional<AclRule> before = a.rule(id);
        if (before.isEmpty() || !a.remove(id)) {
            throw unknownRule();
        }
        AUDIT.info("acl: removed {} {} (by {} via rest)", id, before.get(), who);
        resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
    }

    private static HalleyException unknownRule() {
        return new HalleyException(ErrorCode.NOT_FOUND, "no rule with this id");
    }

    private void checkRule(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        AccessControl a = requireAcl();
        String user = requireParameter(req, "user");
        String channel = ChannelName.requirePattern(requireParameter(req, "channel"));
        Permission permission;
        try {
            permission = Permission.parse(requireParameter(req, "permission"));
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
        String[] roleValues = req.getParameterValues("role");
        Set<String> roles = new TreeSet<>(roleValues == null ? List.of() : List.of(roleValues));
        Identity who;
        try {
            who = Subject.resolve(user, roles, authenticator, apiKeys).identity();
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage().startsWith("an anonymous") ? e.getMessage()
                    : "the user parameter is a user name, key:NAME or anonymous");
        }
        AccessDecision d = a.check(who, channel, permission);
        writeJson(resp, HttpServletResponse.SC_OK, g -> {
            g.writeStartObject();
            g.writeBooleanField("allowed", d.allowed());
            g.writeFieldName("rule");
            if (d.rule() == null) {
                g.writeNull();
            } else {
                writeRule(g, d.rule());
            }
            g.writeStringField("reason", d.reason());
            g.writeStringField("user", who.toString());
            g.writeArrayFieldStart("roles");
            for (String r : new TreeSet<>(who.roles())) {
                g.writeString(r);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static String requireParameter(HttpServletRequest req, String name) {
        String value = req.getParameter(name);
        if (value == null || value.isEmpty()) {
            throw badRequest("the " + name + " parameter is required");
        }
        return value;
    }

    /**
     * Reads {@code {"allow":true,"principal":"user:bob","pattern":"news.>","permissions":["subscribe"]}};
     * {@code permissions} may also be one string ({@code "subscribe,history"}, {@code "all"}).
     */
    private AclRule readRule(HttpServletRequest req, String id) throws IOException {
        String contentType = req.getContentType();
        if (contentType != null && BodyTypes.of(contentType) != ContentType.JSON) {
            throw new HalleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "a rule is sent as application/json");
        }
        if (req.getContentLengthLong() > MAX_RULE_BODY) {
            throw tooLarge(MAX_RULE_BODY, "rule");
        }
        byte[] body = readBody(req, MAX_RULE_BODY, "rule");
        Boolean allow = null;
        String principal = null;
        String pattern = null;
        Set<Permission> permissions = null;
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw badRequest("a rule is a JSON object: {\"allow\":true,\"principal\":...,\"pattern\":...,"
                        + "\"permissions\":[...]}");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "allow" -> {
                        if (!value.isBoolean()) {
                            throw badRequest("allow is true or false");
                        }
                        allow = value == JsonToken.VALUE_TRUE;
                    }
                    case "principal" -> principal = text(p, value, field);
                    case "pattern" -> pattern = text(p, value, field);
                    case "permissions" -> permissions = permissions(p, value);
                    case "id" -> {
                        if (value != JsonToken.VALUE_NULL && (id == null || !id.equals(text(p, value, field)))) {
                            throw badRequest(id == null ? "a new rule's id is given by the server"
                                    : "the id in the body is not the one in the path");
                        }
                    }
                    default -> throw badRequest("unknown field '" + printable(field) + "'");
                }
            }
            if (p.nextToken() != null) {
                throw badRequest("one JSON object only");
            }
        } catch (JsonProcessingException e) {
            throw badRequest("malformed JSON: " + e.getOriginalMessage());
        }
        if (allow == null || principal == null || pattern == null || permissions == null) {
            throw badRequest("a rule has allow, principal, pattern and permissions");
        }
        try {
            return new AclRule(id, allow, principal, pattern, permissions);
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw badRequest(field + " is a string");
        }
        return p.getText();
    }

    private static Set<Permission> permissions(JsonParser p, JsonToken value) throws IOException {
        try {
            if (value == JsonToken.VALUE_STRING) {
                return AclRule.parsePermissions(p.getText());
            }
            if (value != JsonToken.START_ARRAY) {
                throw badRequest("permissions is an array of subscribe, publish, presence, history (or \"all\")");
            }
            Set<Permission> set = EnumSet.noneOf(Permission.class);
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    throw badRequest("permissions is an array of strings");
                }
                set.addAll(AclRule.parsePermissions(p.getText()));
            }
            if (set.isEmpty()) {
                throw badRequest("a rule needs at least one permission");
            }
            return set;
        } catch (IllegalArgumentException e) {
            throw badRequest(e.getMessage());
        }
    }

    private static HalleyException badRequest(String message) {
        return new HalleyException(ErrorCode.BAD_REQUEST, message);
    }

    private AccessControl requireAcl() {
        AccessControl a = acl;
        if (a == null) {
            throw new HalleyException(ErrorCode.UNAVAILABLE, "the channel permissions are not available; try again later");
        }
        return a;
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
        if (e.code() == ErrorCode.UNAUTHORIZED) {
            resp.setHeader("WWW-Authenticate", CHALLENGE);
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

    static void writeRules(JsonGenerator g, List<AclRule> rules) throws IOException {
        g.writeStartArray();
        for (AclRule r : rules) {
            writeRule(g, r);
        }
        g.writeEndArray();
    }

    /** {@code {"id":"r1","allow":true,"principal":"anonymous","pattern":"demo.>","permissions":["subscribe"]}} */
    static void writeRule(JsonGenerator g, AclRule r) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", r.id());
        g.writeBooleanField("allow", r.allow());
        g.writeStringField("principal", r.principal());
        g.writeStringField("pattern", r.pattern());
        g.writeArrayFieldStart("permissions");
        for (Permission p : new TreeSet<>(r.permissions())) {
            g.writeString(p.code());
        }
        g.writeEndArray();
        g.writeEndObject();
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
            g.writeStringField("user", s.user());
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
