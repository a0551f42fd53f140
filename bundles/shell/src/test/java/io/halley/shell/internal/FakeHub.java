package io.halley.shell.internal;

import io.halley.api.ChannelInfo;
import io.halley.api.CloseReason;
import io.halley.api.ErrorCode;
import io.halley.api.Frame;
import io.halley.api.Hub;
import io.halley.api.Session;
import io.halley.api.SessionInfo;
import io.halley.api.SessionListener;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Answers the operator's questions from lists the test fills; sessions only record a close. */
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
    final Map<String, FakeSession> open = new ConcurrentHashMap<>();

    @Override
    public Session openSession(String transport, String remoteAddress, io.halley.api.Credentials credentials,
            Collection<String> patterns) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Session resume(String id, io.halley.api.Credentials credentials) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<Session> findSession(String id) {
        return Optional.ofNullable(open.get(id));
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
    }

    @Override
    public Map<String, Long> counters() {
        return Map.copyOf(counters);
    }

    static final class FakeSession implements Session {

        @Override
        public int handle(String frames) {
            throw new UnsupportedOperationException("not used by these tests");
        }

        @Override
        public boolean disconnect() {
            disconnected = true;
            return true;
        }

        boolean disconnected;
        private final String id;
        volatile CloseReason closedWith;

        FakeSession(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public io.halley.api.Identity identity() {
            return io.halley.api.Identity.anonymous();
        }

        @Override
        public String transport() {
            return "sse";
        }

        @Override
        public String remoteAddress() {
            return "127.0.0.1";
        }

        @Override
        public long createdAt() {
            return 0;
        }

        @Override
        public Set<String> subscriptions() {
            return Set.of();
        }

        @Override
        public void subscribe(String pattern) {
        }

        @Override
        public void unsubscribe(String pattern) {
        }

        @Override
        public long attach(String transport, String remoteAddress, SessionListener listener, long lastSeenSeq) {
            return 0;
        }

        @Override
        public void detach(SessionListener listener) {
        }

        @Override
        public List<Frame> poll(io.halley.api.SessionListener listener, int maxFrames, int maxBytes) {
            return List.of();
        }

        @Override
        public boolean hasPending() {
            return false;
        }

        @Override
        public void ack(long seq) {
        }

        @Override
        public long lastSeq() {
            return 0;
        }

        @Override
        public boolean isOpen() {
            return closedWith == null;
        }

        @Override
        public void close(CloseReason reason) {
            closedWith = reason;
        }
    }
}
