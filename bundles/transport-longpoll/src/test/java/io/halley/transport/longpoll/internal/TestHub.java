package io.halley.transport.longpoll.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.halley.api.ChannelInfo;
import io.halley.api.ChannelName;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Hub;
import io.halley.api.Session;
import io.halley.api.SessionInfo;

/** An in-memory hub, just enough to drive a transport: exact channel names only. */
final class TestHub implements Hub {

    static final int MAX_SUBSCRIPTIONS = 8;

    final Map<String, TestSession> sessions = new ConcurrentHashMap<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public Session openSession(String transport, String remoteAddress, Collection<String> patterns) {
        if (patterns.size() > MAX_SUBSCRIPTIONS) {
            throw new HalleyException(ErrorCode.TOO_MANY_CHANNELS, "too many");
        }
        patterns.forEach(ChannelName::requirePattern);
        TestSession s = new TestSession("s" + ids.incrementAndGet() + "-x_Y", transport, remoteAddress);
        patterns.forEach(s::subscribe);
        sessions.put(s.id(), s);
        return s;
    }

    @Override
    public Optional<Session> findSession(String id) {
        return Optional.ofNullable(sessions.get(id)).filter(TestSession::isOpen).map(s -> s);
    }

    TestSession session(String id) {
        return sessions.get(id);
    }

    void publish(String channel, String data) {
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
}
