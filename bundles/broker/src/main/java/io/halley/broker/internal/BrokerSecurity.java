package io.halley.broker.internal;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.activemq.broker.Broker;
import org.apache.activemq.broker.BrokerPlugin;

import io.halley.api.AccessControl;
import io.halley.api.Authenticator;

/**
 * Halley's authentication and channel permissions at the embedded broker, as an
 * ActiveMQ plugin: every OpenWire, STOMP and in-VM connection logs in through the
 * {@link Authenticator}, and every consumer and every sent message is checked by the
 * {@link AccessControl}. Both services are read when they are needed, so that they may
 * come and go while the broker runs.
 *
 * <p>One instance per broker start: the {@linkplain #internalCredential() internal
 * credential} it makes is new each time.
 */
final class BrokerSecurity implements BrokerPlugin {

    private final Supplier<Authenticator> authenticator;
    private final Supplier<AccessControl> accessControl;
    private final InternalCredential internal = InternalCredential.random();
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Set<SecurityBroker> brokers = new CopyOnWriteArraySet<>();

    BrokerSecurity(Supplier<Authenticator> authenticator, Supplier<AccessControl> accessControl) {
        this.authenticator = authenticator;
        this.accessControl = accessControl;
    }

    @Override
    public Broker installPlugin(Broker next) {
        SecurityBroker broker = new SecurityBroker(next, this);
        brokers.add(broker);
        return broker;
    }

    void uninstalled(SecurityBroker broker) {
        brokers.remove(broker);
    }

    /** @return the login that the hub's in-VM connection factory carries */
    InternalCredential internalCredential() {
        return internal;
    }

    Authenticator authenticator() {
        return authenticator.get();
    }

    AccessControl accessControl() {
        return accessControl.get();
    }

    /**
     * The rules changed, or the access control service came or went: checks every live
     * consumer again and ends those no longer allowed.
     */
    void rulesChanged() {
        for (SecurityBroker broker : brokers) {
            broker.recheck();
        }
    }

    void count(String name) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    }

    /**
     * @return counters by name: {@code login.<kind>}, {@code login.refused},
     *         {@code login.unavailable}, {@code login.internal.refused},
     *         {@code forbidden.subscribe}, {@code forbidden.publish}, {@code forbidden.other},
     *         {@code revoked.subscribe}, {@code withheld.message}, {@code expired}
     */
    Map<String, Long> counters() {
        Map<String, Long> copy = new TreeMap<>();
        counters.forEach((name, value) -> copy.put(name, value.get()));
        return copy;
    }
}
