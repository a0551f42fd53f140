package io.halley.metrics.internal;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.halley.api.Authenticator;
import io.halley.api.BrokerStatus;
import io.halley.api.ChannelInfo;
import io.halley.api.Hub;
import io.halley.api.SessionInfo;

/** Services that answer only what the figures ask. */
final class Fakes {

    private Fakes() {
    }

    static SessionInfo session(String id, String transport, boolean connected) {
        return new SessionInfo(id, "anonymous", transport, "127.0.0.1", 0, connected, Set.of("a.b"), 0, 0);
    }

    static Hub hub(List<SessionInfo> sessions, List<ChannelInfo> channels, Map<String, Long> counters) {
        return (Hub) Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] {Hub.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "sessions" -> sessions;
                    case "channels" -> channels;
                    case "counters" -> counters;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static Authenticator authenticator(Map<String, Long> counters) {
        return (Authenticator) Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] {Authenticator.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "counters" -> counters;
                    case "realm" -> "karaf";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    static BrokerStatus broker(BrokerStatus.Health health) {
        return () -> health;
    }
}
