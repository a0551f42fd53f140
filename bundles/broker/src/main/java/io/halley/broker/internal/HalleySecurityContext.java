package io.halley.broker.internal;

import java.net.URI;
import java.security.Principal;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.activemq.broker.ConnectionContext;
import org.apache.activemq.broker.Connector;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.command.ActiveMQDestination;
import org.apache.activemq.command.ConsumerId;
import org.apache.activemq.command.ConsumerInfo;
import org.apache.activemq.security.SecurityContext;

import io.halley.api.AccessControl;
import io.halley.api.Identity;
import io.halley.api.Permission;

/**
 * Who a broker connection is (its Halley {@link Identity}), where it came in, the
 * consumers it has, and the channel decisions already made for it.
 */
final class HalleySecurityContext extends SecurityContext {

    /** More cached decisions than this and the cache starts over: a client naming endless destinations cannot grow it. */
    static final int MAX_CACHED = 1024;

    private final Identity identity;
    private final ConnectionContext connection;
    private final String connector;
    private final String where;
    private final Map<ConsumerId, ConsumerInfo> consumers = new ConcurrentHashMap<>();
    private volatile Decisions decisions = new Decisions(null, Long.MIN_VALUE);
    private volatile Runnable expiry;

    /** Decisions made under one revision of the rules of one access control service. */
    private static final class Decisions {
        final AccessControl source;
        final long revision;
        final Map<ActiveMQDestination, Boolean> subscribe = new ConcurrentHashMap<>();
        final Map<ActiveMQDestination, Boolean> publish = new ConcurrentHashMap<>();

        Decisions(AccessControl source, long revision) {
            this.source = source;
            this.revision = revision;
        }
    }

    HalleySecurityContext(Identity identity, ConnectionContext connection) {
        super(identity.toString());
        this.identity = identity;
        this.connection = connection;
        this.connector = scheme(connection);
        String remote = connection.getConnection() == null ? null : connection.getConnection().getRemoteAddress();
        this.where = connector + (remote == null ? "" : " " + remote);
    }

    /** @return the scheme of the connector a connection came in by: tcp, ssl, stomp, stomp+ssl, ws, vm, ... */
    static String scheme(ConnectionContext context) {
        Connector connector = context.getConnector();
        if (connector instanceof TransportConnector) {
            URI uri = ((TransportConnector) connector).getUri();
            if (uri != null && uri.getScheme() != null) {
                return uri.getScheme();
            }
        }
        return "unknown";
    }

    Identity identity() {
        return identity;
    }

    boolean isSystem() {
        return identity.kind() == Identity.Kind.SYSTEM;
    }

    ConnectionContext connection() {
        return connection;
    }

    /** @return whether the client speaks STOMP (directly or over WebSocket), which has no way to end one subscription */
    boolean isStomp() {
        return connector.startsWith("stomp") || connector.equals("ws") || connector.equals("wss");
    }

    /** @return the connector and the client's address, for logs */
    String where() {
        return where;
    }

    @Override
    public Set<Principal> getPrincipals() {
        // ActiveMQ's own authorization map is not used; Halley's AccessControl decides
        return Set.of();
    }

    void addConsumer(ConsumerInfo info) {
        consumers.put(info.getConsumerId(), info);
    }

    void removeConsumer(ConsumerId id) {
        consumers.remove(id);
    }

    Collection<ConsumerInfo> consumers() {
        return consumers.values();
    }

    Runnable expiry() {
        return expiry;
    }

    void expiry(Runnable task) {
        expiry = task;
    }

    /**
     * @return the cached decision for this permission on this destination under the
     *         current rules, or null when none was made yet
     */
    Boolean cached(AccessControl source, long revision, Permission permission, ActiveMQDestination destination) {
        return decisions(source, revision, permission).get(destination);
    }

    void cache(AccessControl source, long revision, Permission permission, ActiveMQDestination destination,
            boolean allowed) {
        Map<ActiveMQDestination, Boolean> map = decisions(source, revision, permission);
        if (map.size() >= MAX_CACHED) {
            map.clear();
        }
        map.put(destination, allowed);
    }

    /** Drops every decision: the rules (or the service that keeps them) changed. */
    void forgetDecisions() {
        decisions = new Decisions(null, Long.MIN_VALUE);
    }

    private Map<ActiveMQDestination, Boolean> decisions(AccessControl source, long revision, Permission permission) {
        Decisions current = decisions;
        if (current.source != source || current.revision != revision) {
            current = new Decisions(source, revision);
            decisions = current;
        }
        return permission == Permission.PUBLISH ? current.publish : current.subscribe;
    }
}
