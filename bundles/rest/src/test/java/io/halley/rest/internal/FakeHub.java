package io.halley.rest.internal;

import io.halley.api.ChannelInfo;
import io.halley.api.ErrorCode;
import io.halley.api.Hub;
import io.halley.api.Session;
import io.halley.api.SessionInfo;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A hub that only answers the operator's questions and counts errors. */
final class FakeHub implements Hub {

    @Override
    public io.halley.api.Connected connect(String frame, String transport, String remoteAddress,
            io.halley.api.Credentials credentials, io.halley.api.SessionListener listener) {
        throw new UnsupportedOperationException("not used by these tests");
    }

    @Override
    public int maxClientFrameSize() {
        return 65536;
    }

    final List<ChannelInfo> channels = new CopyOnWriteArrayList<>();
    final List<SessionInfo> sessions = new CopyOnWriteArrayList<>();
    final Map<String, Long> counters = new ConcurrentHashMap<>();
    final Map<String, Long> errors = new ConcurrentHashMap<>();

    @Override
    public Session openSession(String transport, String remoteAddress, io.halley.api.Credentials credentials,
            Collection<String> patterns) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Session resume(String id, io.halley.api.Credentials credentials) {
        throw new UnsupportedOperationException();
    }

    /** Sessions that findSession finds. */
    final java.util.Map<String, Session> live = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Optional<Session> findSession(String id) {
        return Optional.ofNullable(live.get(id)).filter(Session::isOpen);
    }

    @Override
    public List<SessionInfo> sessions() {
        return List.copyOf(sessions);
    }

    @Override
    public List<ChannelInfo> channels() {
        return List.copyOf(channels);
    }

    @Override
    public int maxSubscriptionsPerSession() {
        return 100;
    }

    @Override
    public void countError(String source, ErrorCode code) {
        errors.merge(source + ":" + code.code(), 1L, Long::sum);
    }

    @Override
    public Map<String, Long> counters() {
        return Map.copyOf(counters);
    }
}
