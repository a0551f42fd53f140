package io.halley.core.internal;

import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.Authenticator;
import io.halley.api.ChannelInfo;
import io.halley.api.Credentials;
import io.halley.api.Identity;
import io.halley.api.Permission;
import io.halley.api.ChannelName;
import io.halley.api.Connected;
import io.halley.api.Publisher;
import io.halley.api.SessionListener;
import io.halley.api.CloseReason;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Json;
import io.halley.api.Message;
import io.halley.api.Session;
import io.halley.api.SessionInfo;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The hub without OSGi: sessions, the subscription index and fan-out. Messages come in
 * through {@link #dispatch} from a single thread (the broker consumer), which is what
 * keeps one order per channel for every session.
 */
final class HubCore implements Hub {

    private final HubConfig config;
    private final LongSupplier clock;
    private final SecureRandom random = new SecureRandom();
    private final Payloads payloads = new Payloads();

    private final Map<String, SessionImpl> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger sessionCount = new AtomicInteger();
    /** Concrete channel to its direct subscribers. */
    private final Map<String, Set<SessionImpl>> exact = new ConcurrentHashMap<>();
    /** Wildcard pattern to its subscribers. */
    private final Map<String, Set<SessionImpl>> wildcards = new ConcurrentHashMap<>();
    private final Map<String, ChannelState> channels = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Protocol protocol = new Protocol(this);
    private final Namespace defaults;
    private volatile Map<String, Namespace> namespaces = Map.of();
    private volatile Publisher publisher;
    private volatile Authenticator authenticator;
    private volatile AccessControl accessControl;

    HubCore(HubConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.defaults = new Namespace("", config.historySize(), config.historyAge(), config.maxMessageSize());
    }

    Protocol protocol() {
        return protocol;
    }

    Publisher publisher() {
        return publisher;
    }

    void publisher(Publisher p) {
        this.publisher = p;
    }

    void authenticator(Authenticator a) {
        this.authenticator = a;
    }

    void accessControl(AccessControl a) {
        this.accessControl = a;
    }

    /**
     * @return who presented these credentials
     * @throws HalleyException unauthorized, or unavailable without an authenticator
     */
    Identity authenticate(Credentials credentials) {
        if (credentials.isNone()) {
            return Identity.anonymous();
        }
        Authenticator a = authenticator;
        if (a == null) {
            count("auth.unavailable");
            throw new HalleyException(ErrorCode.UNAVAILABLE, "authentication is not available; try again later");
        }
        try {
            return a.authenticate(credentials);
        } catch (HalleyException e) {
            count(e.code() == ErrorCode.UNAUTHORIZED ? "auth.refused" : "auth.unavailable");
            throw e;
        }
    }

    /** @return the decision; without the access control service everything but a system identity is refused */
    AccessDecision check(Identity who, String pattern, Permission permission) {
        AccessControl acl = accessControl;
        if (who.kind() == Identity.Kind.SYSTEM) {
            return new AccessDecision(true, null, "system");
        }
        if (acl == null) {
            return new AccessDecision(false, null, "channel permissions are not available");
        }
        return acl.check(who, pattern, permission);
    }

    /** @throws HalleyException forbidden when the identity may not */
    void requireAllowed(Identity who, String pattern, Permission permission) {
        if (!check(who, pattern, permission).allowed()) {
            count("acl.refused." + permission.code());
            throw new HalleyException(ErrorCode.FORBIDDEN,
                    "not allowed to " + permission.code() + (permission == Permission.PUBLISH ? " to " : " on ")
                            + pattern);
        }
    }

    /**
     * The rules changed: every live subscription is checked again, and one that is no
     * longer allowed ends with an {@code unsubscribed} frame (code {@code forbidden}).
     */
    void recheckSubscriptions() {
        for (SessionImpl s : sessions.values()) {
            revokeForbidden(s);
        }
    }

    void revokeForbidden(SessionImpl s) {
        Identity who = s.identity();
        AccessControl acl = accessControl;
        // A resume (every long-poll, every SSE reconnect) checks again only when the rules or the identity changed
        // since the last full check: at 2,000 polls/s the check of every subscription on every poll was 9% of the
        // server's CPU. A subscription added since was checked when it was made; a rule change re-checks every
        // session (recheckSubscriptions) under a new revision.
        long revision = acl == null ? 0 : acl.revision();
        if (acl != null && s.checkedUnder(acl, revision, who)) {
            return;
        }
        for (String pattern : s.subscriptionsSnapshot()) {
            if (!check(who, pattern, Permission.SUBSCRIBE).allowed() && s.revoke(pattern)) {
                count("acl.revoked");
                String body = Json.quote(Json.quote(new StringBuilder(",\"channel\":"), pattern)
                        .append(",\"code\":\"forbidden\",\"message\":"),
                        "the permission to subscribe was revoked").toString();
                s.enqueue(seq -> new TextFrame("unsubscribed", seq, body));
            }
        }
        if (acl != null) {
            s.checked(acl, revision, who);
        }
    }

    void namespaces(Collection<Namespace> all) {
        Map<String, Namespace> m = new java.util.HashMap<>();
        for (Namespace n : all) {
            m.put(n.name, n);
        }
        namespaces = Map.copyOf(m);
    }

    Namespace namespace(String channel) {
        Namespace n = namespaces.get(Namespace.of(channel));
        return n == null ? defaults : n;
    }

    /** @return the largest message body accepted on a channel, in bytes */
    int maxMessageSize(String channel) {
        Namespace n = namespace(channel);
        return n.maxMessageSize > 0 ? n.maxMessageSize : config.maxMessageSize();
    }

    @Override
    public int maxClientFrameSize() {
        // a publish frame carries a message and a little more
        return config.maxMessageSize() + 4096;
    }

    @Override
    public Connected connect(String connectFrame, String transport, String remoteAddress, Credentials credentials,
            SessionListener listener) {
        List<ClientFrame> frames = protocol.parse(connectFrame);
        if (frames.size() != 1) {
            throw new HalleyException(ErrorCode.BAD_FRAME, "connect is one frame");
        }
        ClientFrame f = frames.get(0);
        if (!f.type.equals("connect")) {
            throw new HalleyException(ErrorCode.NOT_CONNECTED, "the first frame must be connect");
        }
        Identity who = authenticate(credentials(f, credentials));
        SessionImpl existing = f.session == null ? null : sessions.get(f.session);
        if (existing != null && existing.isOpen() && !existing.identity().sameSubject(who)) {
            count("sessions.resume.refused");
            existing = null;
        }
        if (existing != null && existing.isOpen()) {
            try {
                existing.renew(who);
                long missed = existing.attach(transport, remoteAddress, listener, f.lastSeq);
                revokeForbidden(existing);
                count("sessions.resumed");
                return new Connected(existing, true, missed);
            } catch (HalleyException ended) {
                // closed in between: open a new one below
            }
        }
        Session s = open(transport, remoteAddress, who, List.of());
        s.attach(transport, remoteAddress, listener, -1);
        return new Connected(s, false, 0);
    }

    /** A connect frame's own credentials (a token, or a realm user and password) win over the transport's. */
    private static Credentials credentials(ClientFrame f, Credentials transport) {
        if (f.token != null) {
            return Credentials.bearer(f.token);
        }
        if (f.user != null || f.password != null) {
            if (f.user == null || f.password == null || f.user.isEmpty()
                    || f.user.length() > Credentials.MAX_LENGTH || f.password.length() > Credentials.MAX_LENGTH) {
                throw Credentials.unauthorized();
            }
            return Credentials.password(f.user, f.password);
        }
        return transport;
    }

    long now() {
        return clock.getAsLong();
    }

    Payloads payloads() {
        return payloads;
    }

    HubConfig config() {
        return config;
    }

    @Override
    public Session openSession(String transport, String remoteAddress, Credentials credentials, Collection<String> patterns) {
        return open(transport, remoteAddress, authenticate(credentials), patterns);
    }

    @Override
    public Session resume(String id, Credentials credentials) {
        Identity who = authenticate(credentials);
        SessionImpl s = id == null ? null : sessions.get(id);
        if (s == null || !s.isOpen()) {
            throw new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id");
        }
        if (!s.identity().sameSubject(who)) {
            count("sessions.resume.refused");
            throw new HalleyException(ErrorCode.UNKNOWN_SESSION, "no open session with this id");
        }
        s.renew(who);
        revokeForbidden(s);
        return s;
    }

    Session open(String transport, String remoteAddress, Identity who, Collection<String> patterns) {
        Set<String> wanted = new LinkedHashSet<>(patterns);
        for (String p : wanted) {
            ChannelName.requirePattern(p);
        }
        for (String p : wanted) {
            requireAllowed(who, p, Permission.SUBSCRIBE);
        }
        if (wanted.size() > config.maxSubscriptionsPerSession()) {
            throw new HalleyException(ErrorCode.TOO_MANY_CHANNELS,
                    "a session subscribes to at most " + config.maxSubscriptionsPerSession() + " channels");
        }
        if (sessionCount.incrementAndGet() > config.maxSessions()) {
            sessionCount.decrementAndGet();
            count("sessions.refused");
            throw new HalleyException(ErrorCode.TOO_MANY_SESSIONS, "the server has too many sessions");
        }
        SessionImpl s = new SessionImpl(this, newId(), who, transport, remoteAddress, now(),
                config.queueMaxMessages(), config.queueMaxBytes());
        sessions.put(s.id(), s);
        count("sessions.opened");
        for (String p : wanted) {
            s.subscribe(p);
        }
        return s;
    }

    private String newId() {
        byte[] b = new byte[18];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public Optional<Session> findSession(String id) {
        if (id == null) {
            return Optional.empty();
        }
        SessionImpl s = sessions.get(id);
        return s == null || !s.isOpen() ? Optional.empty() : Optional.of(s);
    }

    @Override
    public List<SessionInfo> sessions() {
        List<SessionInfo> out = new ArrayList<>(sessions.size());
        for (SessionImpl s : sessions.values()) {
            out.add(s.info());
        }
        out.sort(Comparator.comparingLong(SessionInfo::createdAt));
        return out;
    }

    @Override
    public List<ChannelInfo> channels() {
        Map<String, ChannelInfo> out = new TreeMap<>();
        for (ChannelState c : channels.values()) {
            out.put(c.name, new ChannelInfo(c.name, 0, c.messages, c.offset, c.lastAt));
        }
        for (Map.Entry<String, Set<SessionImpl>> e : exact.entrySet()) {
            ChannelInfo c = out.get(e.getKey());
            out.put(e.getKey(), c == null ? new ChannelInfo(e.getKey(), e.getValue().size(), 0, 0, 0)
                    : new ChannelInfo(c.name(), e.getValue().size(), c.messages(), c.lastOffset(), c.lastMessageAt()));
        }
        // a pattern's subscribers count on every known channel it matches
        for (Map.Entry<String, Set<SessionImpl>> w : wildcards.entrySet()) {
            for (Map.Entry<String, ChannelInfo> e : out.entrySet()) {
                if (ChannelName.matches(w.getKey(), e.getKey())) {
                    ChannelInfo c = e.getValue();
                    e.setValue(new ChannelInfo(c.name(), c.subscribers() + w.getValue().size(), c.messages(),
                            c.lastOffset(), c.lastMessageAt()));
                }
            }
        }
        out.values().removeIf(c -> c.subscribers() == 0 && c.messages() == 0);
        return new ArrayList<>(out.values());
    }

    @Override
    public int maxSubscriptionsPerSession() {
        return config.maxSubscriptionsPerSession();
    }

    @Override
    public void countError(String source, ErrorCode code) {
        count("errors." + source + "." + code.code());
    }

    @Override
    public Map<String, Long> counters() {
        Map<String, Long> out = new TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.sum()));
        out.put("sessions.open", (long) sessionCount.get());
        return Collections.unmodifiableMap(out);
    }

    void count(String name) {
        counters.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    void countDelivered(int frames) {
        counters.computeIfAbsent("messages.delivered", k -> new LongAdder()).add(frames);
    }

    /**
     * Fans a message out to every subscribed session. Called by one thread at a time.
     *
     * @param channel   the concrete channel
     * @param id        the broker's message id
     * @param timestamp the broker's timestamp
     * @param payload   compact JSON
     * @param encoding  null, or how a binary payload was encoded into its string
     */
    void dispatch(String channel, String id, long timestamp, String payload, String encoding) {
        ChannelState state = state(channel);
        count("messages.received");
        synchronized (state) {
            long offset = ++state.offset;
            state.messages++;
            state.lastAt = timestamp;
            Delivery delivery = new Delivery(new Message(channel, id, offset, timestamp, payload), encoding, now());
            state.remember(delivery, namespace(channel), delivery.received);
            for (SessionImpl s : targets(channel)) {
                s.offer(delivery);
            }
        }
    }

    private ChannelState state(String channel) {
        ChannelState state = channels.get(channel);
        if (state == null) {
            if (channels.size() >= config.maxTrackedChannels()) {
                forgetIdleChannels();
            }
            state = channels.computeIfAbsent(channel, ChannelState::new);
        }
        return state;
    }

    private Collection<SessionImpl> targets(String channel) {
        Set<SessionImpl> direct = exact.get(channel);
        Set<SessionImpl> targets = direct;
        if (!wildcards.isEmpty()) {
            Set<SessionImpl> matched = null;
            for (Map.Entry<String, Set<SessionImpl>> w : wildcards.entrySet()) {
                if (!w.getValue().isEmpty() && ChannelName.matches(w.getKey(), channel)) {
                    if (matched == null) {
                        matched = Collections.newSetFromMap(new IdentityHashMap<>());
                        if (direct != null) {
                            matched.addAll(direct);
                        }
                    }
                    matched.addAll(w.getValue());
                }
            }
            if (matched != null) {
                targets = matched;
            }
        }
        return targets == null ? List.of() : targets;
    }

    @Override
    public List<Message> recentMessages(String channel, int max) {
        ChannelState state = channels.get(channel);
        if (state == null || max <= 0) {
            return List.of();
        }
        synchronized (state) {
            state.expire(namespace(channel), now());
            List<Message> out = new ArrayList<>(Math.min(max, state.history.size()));
            int skip = Math.max(0, state.history.size() - max);
            for (Delivery d : state.history) {
                if (skip-- <= 0) {
                    out.add(d.message);
                }
            }
            return out;
        }
    }

    /** @return the offset of the last message the hub saw on a channel (0 for none) */
    long lastOffset(String channel) {
        ChannelState state = channels.get(channel);
        return state == null ? 0 : state.offset;
    }

    /**
     * Subscribes a session to a concrete channel, first queueing the history after
     * {@code from}. Holding the channel's lock, no live message can slip in between
     * the history and the subscription, nor come twice.
     *
     * @return the channel's last offset
     */
    long recover(SessionImpl s, String channel, long from) {
        ChannelState state = state(channel);
        synchronized (state) {
            state.expire(namespace(channel), now());
            long first = state.history.isEmpty() ? state.offset + 1 : state.history.peekFirst().message.offset();
            if (from > state.offset) {
                // an offset from before the hub restarted: what it pointed at is gone
                gap(s, channel, 1, first - 1, "reset");
                from = 0;
            } else if (from + 1 < first) {
                gap(s, channel, from + 1, first - 1, "history");
            }
            for (Delivery d : state.history) {
                if (d.message.offset() > from) {
                    s.offer(d);
                }
            }
            index(s, channel);
            return state.offset;
        }
    }

    private void gap(SessionImpl s, String channel, long from, long to, String reason) {
        count("recoveries.gap");
        String body = Json.quote(new StringBuilder(",\"channel\":"), channel)
                .append(",\"from\":").append(from).append(",\"to\":").append(to)
                .append(",\"reason\":\"").append(reason).append('"').toString();
        s.enqueue(seq -> new TextFrame("gap", seq, body));
    }

    private void forgetIdleChannels() {
        channels.keySet().removeIf(name -> !exact.containsKey(name));
    }

    void index(SessionImpl s, String pattern) {
        Map<String, Set<SessionImpl>> index = ChannelName.isWildcard(pattern) ? wildcards : exact;
        index.computeIfAbsent(pattern, k -> ConcurrentHashMap.newKeySet()).add(s);
        if (!s.isOpen()) {
            // closed while subscribing: do not leave it in the index
            unindex(s, pattern);
        }
    }

    void unindex(SessionImpl s, String pattern) {
        Map<String, Set<SessionImpl>> index = ChannelName.isWildcard(pattern) ? wildcards : exact;
        index.computeIfPresent(pattern, (k, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    void removed(SessionImpl s, CloseReason reason) {
        if (sessions.remove(s.id(), s)) {
            sessionCount.decrementAndGet();
            count("sessions.closed." + reason.code());
        }
        for (String p : s.subscriptionsSnapshot()) {
            unindex(s, p);
        }
    }

    /** Ends the sessions that no connection came back to within their lifetime. */
    void expire() {
        long now = now();
        for (SessionImpl s : sessions.values()) {
            if (s.expired(now, config.sessionLifetime())) {
                s.close(CloseReason.EXPIRED);
            } else if (s.identity().isExpired(now) && s.dropConnection(CloseReason.TOKEN_EXPIRED)) {
                count("sessions.token_expired");
            }
        }
    }

    /** Ends every session: the hub is stopping. */
    void shutdown() {
        for (SessionImpl s : new ArrayList<>(sessions.values())) {
            s.close(CloseReason.SHUTDOWN);
        }
    }

    /** Per-channel state and history, guarded by the state's own lock. */
    private static final class ChannelState {
        final String name;
        final java.util.ArrayDeque<Delivery> history = new java.util.ArrayDeque<>();
        volatile long offset;
        volatile long messages;
        volatile long lastAt;

        ChannelState(String name) {
            this.name = name;
        }

        void remember(Delivery d, Namespace limits, long now) {
            if (limits.historySize <= 0) {
                return;
            }
            history.addLast(d);
            while (history.size() > limits.historySize) {
                history.removeFirst();
            }
            expire(limits, now);
        }

        void expire(Namespace limits, long now) {
            while (!history.isEmpty() && (history.size() > limits.historySize
                    || now - history.peekFirst().received > limits.historyAge)) {
                history.removeFirst();
            }
        }
    }
}
