package io.halley.api.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.halley.api.ChannelInfo;
import io.halley.api.Credentials;
import io.halley.api.Identity;
import io.halley.api.Connected;
import io.halley.api.SessionListener;
import io.halley.api.ChannelName;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Session;
import io.halley.api.SessionInfo;

/** An in-memory hub, just enough to drive a transport: exact channel names only. */
public final class TestHub implements Hub {

    public static final int MAX_SUBSCRIPTIONS = 8;

    public final Map<String, TestSession> sessions = new ConcurrentHashMap<>();
    public final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    /** The credentials each open, resume and connect got, in order. */
    public final List<Credentials> credentials = new CopyOnWriteArrayList<>();

    /**
     * What this hub makes of credentials: none is anonymous, a password or token whose
     * secret is {@code bad} is refused, any other names the user (a token or key: up to its first dot).
     */
    public Identity identify(Credentials c) {
        credentials.add(c);
        if (c.isNone()) {
            return Identity.anonymous();
        }
        if ("bad".equals(c.secret())) {
            throw Credentials.unauthorized();
        }
        String secret = c.secret();
        return Identity.user(c.user() != null ? c.user() : secret.split("\\.")[0], java.util.Set.of());
    }

    @Override
    public Session openSession(String transport, String remoteAddress, Credentials credentials, Collection<String> patterns) {
        return open(transport, remoteAddress, identify(credentials), patterns);
    }

    private Session open(String transport, String remoteAddress, Identity who, Collection<String> patterns) {
        if (patterns.contains("forbidden")) {
            throw new HalleyException(ErrorCode.FORBIDDEN, "not allowed");
        }
        if (patterns.size() > MAX_SUBSCRIPTIONS) {
            throw new HalleyException(ErrorCode.TOO_MANY_CHANNELS, "too many");
        }
        patterns.forEach(ChannelName::requirePattern);
        TestSession s = new TestSession("s" + ids.incrementAndGet() + "-x_Y", transport, remoteAddress, who);
        patterns.forEach(s::subscribe);
        sessions.put(s.id(), s);
        return s;
    }

    @Override
    public Session resume(String id, Credentials credentials) {
        Identity who = identify(credentials);
        TestSession s = sessions.get(id);
        if (s == null || !s.isOpen() || !s.identity().sameSubject(who)) {
            throw new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id");
        }
        return s;
    }

    @Override
    public Optional<Session> findSession(String id) {
        return Optional.ofNullable(sessions.get(id)).filter(TestSession::isOpen).map(s -> s);
    }

    public TestSession session(String id) {
        return sessions.get(id);
    }

    public void publish(String channel, String data) {
        for (TestSession s : sessions.values()) {
            s.publish(channel, data);
        }
    }

    @Override
    public List<SessionInfo> sessions() {
        return new ArrayList<>();
    }

    @Override
    public List<ChannelInfo> channels() {
        return new ArrayList<>();
    }

    @Override
    public int maxSubscriptionsPerSession() {
        return MAX_SUBSCRIPTIONS;
    }

    @Override
    public void countError(String source, ErrorCode code) {
        errors.add(source + ":" + code.code());
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of();
    }

    /** Opens or resumes from {"type":"connect","session":"...","lastSeq":n}, read with regular expressions. */
    @Override
    public Connected connect(String frame, String transport, String remoteAddress, Credentials credentials,
            SessionListener listener) {
        if (!frame.trim().startsWith("{")) {
            throw new HalleyException(ErrorCode.BAD_FRAME, "not a JSON object");
        }
        if (!frame.matches("(?s).*\"type\"\\s*:\\s*\"connect\".*")) {
            throw new HalleyException(ErrorCode.NOT_CONNECTED, "connect first");
        }
        java.util.regex.Matcher id = java.util.regex.Pattern.compile("\"session\"\\s*:\\s*\"([^\"]*)\"").matcher(frame);
        java.util.regex.Matcher seq = java.util.regex.Pattern.compile("\"lastSeq\"\\s*:\\s*(\\d+)").matcher(frame);
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("\"token\"\\s*:\\s*\"([^\"]*)\"").matcher(frame);
        Credentials effective = token.find() ? Credentials.token(token.group(1)) : credentials;
        Identity who = identify(effective);
        TestSession existing = id.find() ? sessions.get(id.group(1)) : null;
        if (existing != null && existing.isOpen() && existing.identity().sameSubject(who)) {
            long missed = existing.attach(transport, remoteAddress, listener, seq.find() ? Long.parseLong(seq.group(1)) : -1);
            return new Connected(existing, true, missed);
        }
        Session s = open(transport, remoteAddress, who, List.of());
        s.attach(transport, remoteAddress, listener, -1);
        return new Connected(s, false, 0);
    }

    @Override
    public int maxClientFrameSize() {
        return 65536;
    }
}
