package io.halley.metrics.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.halley.api.Authenticator;
import io.halley.api.BrokerStatus;
import io.halley.api.Hub;
import io.halley.api.SessionInfo;

/**
 * The figures Halley shows machines, read from the services at each call: the same for
 * JMX and for the Prometheus text. Each service may be absent (its feature is not
 * installed); its figures are then left out and its {@code up} is 0.
 */
final class Figures {

    private Figures() {
    }

    /** The hub's gauges and counters, by name; empty without a hub. */
    static Map<String, Long> hub(Hub hub) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (hub == null) {
            return m;
        }
        List<SessionInfo> sessions = hub.sessions();
        m.put("sessions", (long) sessions.size());
        m.put("sessions.connected", sessions.stream().filter(SessionInfo::connected).count());
        m.put("channels", (long) hub.channels().size());
        connections(sessions).forEach((t, n) -> m.put("connections." + t, n));
        new TreeMap<>(hub.counters()).forEach(m::putIfAbsent);
        return m;
    }

    /** Connected sessions by the transport they are connected over. */
    static Map<String, Long> connections(List<SessionInfo> sessions) {
        Map<String, Long> byTransport = new TreeMap<>();
        for (SessionInfo s : sessions) {
            if (s.connected()) {
                byTransport.merge(s.transport(), 1L, Long::sum);
            }
        }
        return byTransport;
    }

    static Map<String, Long> auth(Authenticator authenticator) {
        return authenticator == null ? Map.of() : new TreeMap<>(authenticator.counters());
    }

    static Map<String, Long> broker(BrokerStatus status) {
        Map<String, Long> m = new LinkedHashMap<>();
        if (status == null) {
            return m;
        }
        BrokerStatus.Health h = status.health();
        m.put("started", h.started() ? 1L : 0L);
        m.put("memoryPercent", (long) h.memoryPercent());
        m.put("storePercent", (long) h.storePercent());
        m.put("tempPercent", (long) h.tempPercent());
        m.put("enqueued", h.enqueued());
        m.put("dequeued", h.dequeued());
        for (BrokerStatus.Connector c : h.connectors()) {
            m.put("connections." + c.name(), (long) c.connections());
        }
        return m;
    }

    /** Everything, in the Prometheus text format. */
    static String prometheus(Hub hub, Authenticator authenticator, BrokerStatus broker) {
        PrometheusText p = new PrometheusText();
        p.single("halley_hub_up", "gauge", "Whether the hub runs (1) or not (0).", hub == null ? 0 : 1);
        if (hub != null) {
            List<SessionInfo> sessions = hub.sessions();
            p.single("halley_sessions", "gauge", "Open sessions.", sessions.size());
            p.single("halley_sessions_connected", "gauge", "Sessions with a connection attached now.",
                    sessions.stream().filter(SessionInfo::connected).count());
            if (p.family("halley_connections", "gauge", "Connected sessions by transport.")) {
                connections(sessions).forEach((t, n) -> p.sample(Map.of("transport", t), n));
            }
            p.single("halley_channels", "gauge", "Channels that have subscribers or have seen messages.",
                    hub.channels().size());
            new TreeMap<>(hub.counters()).forEach((name, value) -> {
                if (name.equals("sessions.open")) {
                    // a gauge among the counters: already halley_sessions
                    return;
                }
                p.single("halley_hub_" + PrometheusText.sanitize(name) + "_total", "counter",
                        "The hub's counter " + name + " since it started.", value);
            });
        }
        p.single("halley_auth_up", "gauge", "Whether the authenticator runs (1) or not (0).",
                authenticator == null ? 0 : 1);
        if (authenticator != null) {
            new TreeMap<>(authenticator.counters()).forEach((name, value) -> p.single(
                    "halley_auth_" + PrometheusText.sanitize(name.startsWith("auth.") ? name.substring(5) : name)
                            + "_total", "counter", "The authenticator's counter " + name + " since it started.",
                    value));
        }
        BrokerStatus.Health h = broker == null ? null : broker.health();
        p.single("halley_broker_up", "gauge", "Whether the embedded broker runs and takes messages (1) or not (0).",
                h != null && h.started() ? 1 : 0);
        if (h != null) {
            p.single("halley_broker_memory_percent", "gauge", "Share of the broker's memory limit in use.",
                    h.memoryPercent());
            p.single("halley_broker_store_percent", "gauge", "Share of the broker's store limit in use.",
                    h.storePercent());
            p.single("halley_broker_temp_percent", "gauge", "Share of the broker's temporary store limit in use.",
                    h.tempPercent());
            p.single("halley_broker_enqueued_total", "counter", "Messages the broker has taken since it started.",
                    h.enqueued());
            p.single("halley_broker_dequeued_total", "counter", "Messages the broker has delivered since it started.",
                    h.dequeued());
            if (p.family("halley_broker_connections", "gauge", "Clients connected to the broker, by connector.")) {
                for (BrokerStatus.Connector c : h.connectors()) {
                    p.sample(Map.of("connector", c.name()), c.connections());
                }
            }
        }
        return p.toString();
    }
}
