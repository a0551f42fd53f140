package io.halley.broker.internal;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.activemq.broker.Broker;
import org.apache.activemq.broker.BrokerFilter;
import org.apache.activemq.broker.Connection;
import org.apache.activemq.broker.ConnectionContext;
import org.apache.activemq.broker.ProducerBrokerExchange;
import org.apache.activemq.broker.TransportConnection;
import org.apache.activemq.broker.region.Subscription;
import org.apache.activemq.command.ActiveMQDestination;
import org.apache.activemq.command.ConnectionError;
import org.apache.activemq.command.ConnectionInfo;
import org.apache.activemq.command.ConsumerControl;
import org.apache.activemq.command.ConsumerInfo;
import org.apache.activemq.command.DestinationInfo;
import org.apache.activemq.command.Message;
import org.apache.activemq.command.RemoveSubscriptionInfo;
import org.apache.activemq.security.MessageAuthorizationPolicy;
import org.apache.activemq.security.SecurityContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.Authenticator;
import io.halley.api.ChannelName;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Permission;

/**
 * The broker filter that {@link BrokerSecurity} installs: logs connections in, checks
 * consumers and sends against the channel permissions, and ends consumers whose
 * permission was taken back.
 *
 * <p>Refusals are {@link SecurityException}s, which ActiveMQ hands to a JMS client as a
 * {@code JMSSecurityException} and to a STOMP client as an {@code ERROR} frame; their
 * text is all the client learns.
 */
final class SecurityBroker extends BrokerFilter {

    static final String AUTHENTICATION_FAILED = "authentication failed";
    static final String AUTHENTICATION_UNAVAILABLE = "authentication unavailable";
    static final String ADVISORY_PREFIX = "ActiveMQ.Advisory.";

    /** How long a connection ended for security reasons has to take its error frame before it is closed. */
    private static final int STOP_DELAY_MS = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(SecurityBroker.class);

    private final BrokerSecurity security;
    private final Set<HalleySecurityContext> live = ConcurrentHashMap.newKeySet();
    /** Client ids Halley's own connections used: nobody else may take them (and so lock the hub out, or its durable subscription). */
    private final Set<String> systemClientIds = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean warnedNoAccessControl = new AtomicBoolean();
    private final MessageAuthorizationPolicy dispatchGate = this::allowedToConsume;

    SecurityBroker(Broker next, BrokerSecurity security) {
        super(next);
        this.security = security;
    }

    @Override
    public void stop() throws Exception {
        security.uninstalled(this);
        super.stop();
    }

    // ---- authentication ----------------------------------------------------------

    @Override
    public void addConnection(ConnectionContext context, ConnectionInfo info) throws Exception {
        if (context.getSecurityContext() != null) {
            // set by the broker itself for its internal connections
            super.addConnection(context, info);
            return;
        }
        HalleySecurityContext who;
        try {
            who = authenticate(context, info);
        } catch (SecurityException refused) {
            awaitStarted(context);
            throw refused;
        }
        String clientId = info.getClientId();
        if (!who.isSystem() && clientId != null && systemClientIds.contains(clientId)) {
            security.count("forbidden.other");
            LOG.warn("Refused connection of {} on {}: client id '{}' belongs to Halley", who.identity(), who.where(),
                    printable(clientId));
            awaitStarted(context);
            throw new SecurityException("forbidden: client id in use by Halley");
        }
        context.setSecurityContext(who);
        if (!who.isSystem()) {
            // a consumer whose permission was taken back gets nothing more, whatever its client does
            context.setMessageAuthorizationPolicy(dispatchGate);
        }
        try {
            super.addConnection(context, info);
        } catch (Exception e) {
            context.setSecurityContext(null);
            throw e;
        }
        if (who.isSystem() && clientId != null) {
            systemClientIds.add(clientId);
        }
        live.add(who);
        scheduleExpiry(who);
        security.count("login." + who.identity().kind().name().toLowerCase(Locale.ROOT));
        LOG.debug("Connection of {} on {}", who.identity(), who.where());
    }

    @Override
    public void removeConnection(ConnectionContext context, ConnectionInfo info, Throwable error) throws Exception {
        try {
            super.removeConnection(context, info, error);
        } finally {
            SecurityContext sc = context.getSecurityContext();
            if (sc instanceof HalleySecurityContext) {
                HalleySecurityContext who = (HalleySecurityContext) sc;
                live.remove(who);
                Runnable expiry = who.expiry();
                if (expiry != null) {
                    getBrokerService().getScheduler().cancel(expiry);
                }
            }
        }
    }

    /**
     * Waits (briefly, bounded) until ActiveMQ has finished starting the connection. A
     * connection refused while it is still starting is closed at once, before the
     * refusal is written, and its client sees a bare end of stream instead of
     * "authentication failed"; refused once started, it gets the refusal and is closed
     * a little later.
     */
    private static void awaitStarted(ConnectionContext context) {
        if (!(context.getConnection() instanceof TransportConnection)) {
            return;
        }
        TransportConnection connection = (TransportConnection) context.getConnection();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            while (connection.isStarting() && System.nanoTime() < deadline) {
                // ActiveMQ offers nothing to wait on; start() takes a few milliseconds
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HalleySecurityContext authenticate(ConnectionContext context, ConnectionInfo info) {
        String user = info.getUserName();
        String password = info.getPassword();
        String scheme = HalleySecurityContext.scheme(context);
        String where = scheme + " " + remote(context);
        InternalCredential internal = security.internalCredential();
        if (internal.matches(user, password)) {
            if ("vm".equals(scheme)) {
                return new HalleySecurityContext(Identity.system("hub"), context);
            }
            security.count("login.internal.refused");
            // only code inside Halley has it; seen outside, it has leaked
            LOG.warn("Refused login with Halley's internal credential on {}: it is taken on the in-VM connector only",
                    where);
            throw new SecurityException(AUTHENTICATION_FAILED);
        }

        Credentials credentials;
        try {
            credentials = credentials(user, password);
        } catch (HalleyException e) {
            security.count("login.refused");
            LOG.info("Refused login on {}: malformed credentials", where);
            throw new SecurityException(AUTHENTICATION_FAILED);
        }
        Authenticator authenticator = security.authenticator();
        if (authenticator == null) {
            if (credentials.isNone()) {
                return new HalleySecurityContext(Identity.anonymous(), context);
            }
            security.count("login.unavailable");
            LOG.warn("Refused login ({}) on {}: no Authenticator service (is halley-auth installed?)",
                    printable(credentials.toString()), where);
            throw new SecurityException(AUTHENTICATION_UNAVAILABLE);
        }
        Identity identity;
        try {
            identity = authenticator.authenticate(credentials);
        } catch (HalleyException e) {
            boolean unavailable = e.code() == ErrorCode.UNAVAILABLE;
            security.count(unavailable ? "login.unavailable" : "login.refused");
            LOG.info("Refused login ({}) on {}: {}", printable(credentials.toString()), where,
                    unavailable ? "the realm did not answer" : "authentication failed");
            throw new SecurityException(unavailable ? AUTHENTICATION_UNAVAILABLE : AUTHENTICATION_FAILED);
        } catch (RuntimeException e) {
            security.count("login.unavailable");
            LOG.error("Refused login ({}) on {}: the Authenticator failed", printable(credentials.toString()), where, e);
            throw new SecurityException(AUTHENTICATION_UNAVAILABLE);
        }
        if (identity == null || identity.kind() == Identity.Kind.SYSTEM
                || identity.isExpired(System.currentTimeMillis())) {
            // a client cannot become a part of Halley by what it presents
            security.count("login.refused");
            LOG.info("Refused login ({}) on {}: identity {}", printable(credentials.toString()), where,
                    identity == null ? "missing" : identity.kind() == Identity.Kind.SYSTEM ? "of a system part" : "expired");
            throw new SecurityException(AUTHENTICATION_FAILED);
        }
        return new HalleySecurityContext(identity, context);
    }

    /**
     * OpenWire's and STOMP's user name and password, read as Halley credentials: none
     * at all is anonymous; a password without a user name (or with the user name
     * {@code token}) is a bearer token (a JWT) or, without a user name, an API key;
     * anything else is a realm user and password.
     */
    static Credentials credentials(String user, String password) {
        boolean hasUser = user != null && !user.isEmpty();
        boolean hasPassword = password != null && !password.isEmpty();
        if (!hasUser && !hasPassword) {
            return Credentials.none();
        }
        if ((hasUser && user.length() > Credentials.MAX_LENGTH)
                || (hasPassword && password.length() > Credentials.MAX_LENGTH)) {
            throw Credentials.unauthorized();
        }
        if (!hasUser) {
            return Credentials.bearer(password);
        }
        if (user.equals("token")) {
            Credentials token = Credentials.bearer(password);
            if (token.kind() != Credentials.Kind.TOKEN) {
                throw Credentials.unauthorized();
            }
            return token;
        }
        return Credentials.password(user, hasPassword ? password : "");
    }

    private void scheduleExpiry(HalleySecurityContext who) {
        long expiresAt = who.identity().expiresAt();
        if (expiresAt == 0) {
            return;
        }
        Runnable task = () -> {
            if (live.contains(who)) {
                security.count("expired");
                LOG.info("Ending the connection of {} on {}: its token expired", who.identity(), who.where());
                endConnection(who, new SecurityException("authentication expired"));
            }
        };
        who.expiry(task);
        getBrokerService().getScheduler().executeAfterDelay(task,
                Math.max(0, expiresAt - System.currentTimeMillis()));
    }

    // ---- authorization ------------------------------------------------------------

    @Override
    public Subscription addConsumer(ConnectionContext context, ConsumerInfo info) throws Exception {
        HalleySecurityContext who = client(context);
        if (who != null) {
            String refusal = refusal(who, info.getDestination(), Permission.SUBSCRIBE, true);
            if (refusal != null) {
                throw new SecurityException(refusal);
            }
        }
        Subscription subscription = super.addConsumer(context, info);
        if (who != null) {
            who.addConsumer(info);
        }
        return subscription;
    }

    @Override
    public void removeConsumer(ConnectionContext context, ConsumerInfo info) throws Exception {
        SecurityContext sc = context.getSecurityContext();
        if (sc instanceof HalleySecurityContext) {
            ((HalleySecurityContext) sc).removeConsumer(info.getConsumerId());
        }
        super.removeConsumer(context, info);
    }

    @Override
    public void send(ProducerBrokerExchange exchange, Message message) throws Exception {
        // checked per message, not per producer: a producer may have no destination of its own, and
        // ActiveMQ's client creates producers asynchronously; the decisions are cached per connection
        HalleySecurityContext who = client(exchange.getConnectionContext());
        if (who != null) {
            String refusal = refusal(who, message.getDestination(), Permission.PUBLISH, true);
            if (refusal != null) {
                throw new SecurityException(refusal);
            }
        }
        super.send(exchange, message);
    }

    @Override
    public void addDestinationInfo(ConnectionContext context, DestinationInfo info) throws Exception {
        checkManage(context, info.getDestination(), "create");
        super.addDestinationInfo(context, info);
    }

    @Override
    public void removeDestinationInfo(ConnectionContext context, DestinationInfo info) throws Exception {
        checkManage(context, info.getDestination(), "remove");
        super.removeDestinationInfo(context, info);
    }

    @Override
    public void removeSubscription(ConnectionContext context, RemoveSubscriptionInfo info) throws Exception {
        HalleySecurityContext who = client(context);
        if (who != null && (info.getClientId() == null || !info.getClientId().equals(context.getClientId()))) {
            security.count("forbidden.other");
            LOG.info("Refused {} on {} the removal of another client's durable subscription", who.identity(),
                    who.where());
            throw new SecurityException("forbidden: not allowed to remove another client's durable subscription");
        }
        super.removeSubscription(context, info);
    }

    /** Temporary destinations come and go with their clients; others only by Halley itself. */
    private void checkManage(ConnectionContext context, ActiveMQDestination destination, String verb) {
        HalleySecurityContext who = client(context);
        if (who != null && destination != null && !destination.isTemporary()) {
            security.count("forbidden.other");
            String name = name(destination);
            LOG.info("Refused {} on {} to {} {}", who.identity(), who.where(), verb, name);
            throw new SecurityException("forbidden: not allowed to " + verb + " " + name);
        }
    }

    /**
     * @return the security context of a client connection that the channel permissions
     *         apply to, or null for Halley's own connections and the broker's internal work
     * @throws SecurityException for a connection that never logged in
     */
    private static HalleySecurityContext client(ConnectionContext context) {
        SecurityContext sc = context.getSecurityContext();
        if (sc instanceof HalleySecurityContext) {
            HalleySecurityContext who = (HalleySecurityContext) sc;
            return who.isSystem() ? null : who;
        }
        if (sc != null && sc.isBrokerContext()) {
            return null;
        }
        throw new SecurityException(AUTHENTICATION_FAILED);
    }

    /**
     * @param count whether a refusal is counted and logged (not when a rule change is checked)
     * @return why the client may not do this, in the words it is told, or null when it may
     */
    String refusal(HalleySecurityContext who, ActiveMQDestination destination, Permission permission, boolean count) {
        if (destination == null) {
            return null;
        }
        if (destination.isComposite()) {
            for (ActiveMQDestination part : destination.getCompositeDestinations()) {
                String refusal = refusal(who, part, permission, count);
                if (refusal != null) {
                    return refusal;
                }
            }
            return null;
        }
        if (destination.isTemporary()) {
            // request/reply: a temporary destination is its creator's, named at random
            return null;
        }
        boolean allowed;
        if (destination.isTopic() && destination.getPhysicalName().startsWith(ADVISORY_PREFIX)) {
            // JMS clients watch the advisories of temporary destinations; only the broker writes them
            allowed = permission == Permission.SUBSCRIBE;
            if (!allowed && count) {
                refused(who, permission, destination, "advisories are the broker's");
            }
            return allowed ? null : refusal(permission, destination);
        }
        if (!destination.isTopic()) {
            if (count) {
                refused(who, permission, destination, "queues are Halley's own; channels are topics");
            }
            return refusal(permission, destination);
        }
        if (who.identity().isExpired(System.currentTimeMillis())) {
            if (count) {
                refused(who, permission, destination, "token expired");
            }
            return refusal(permission, destination);
        }
        AccessControl acl = security.accessControl();
        if (acl == null) {
            if (warnedNoAccessControl.compareAndSet(false, true)) {
                LOG.warn("No AccessControl service (is halley-acl installed?): the broker refuses every channel "
                        + "operation of clients until it comes");
            }
            if (count) {
                security.count(permission == Permission.PUBLISH ? "forbidden.publish" : "forbidden.subscribe");
            }
            return refusal(permission, destination);
        }
        if (warnedNoAccessControl.get()) {
            warnedNoAccessControl.set(false);
        }
        long revision = acl.revision();
        Boolean cached = who.cached(acl, revision, permission, destination);
        if (cached != null) {
            allowed = cached;
            if (!allowed && count) {
                security.count(permission == Permission.PUBLISH ? "forbidden.publish" : "forbidden.subscribe");
            }
        } else {
            String name = destination.getPhysicalName();
            boolean valid = permission == Permission.PUBLISH ? ChannelName.isChannel(name) : isPattern(name);
            AccessDecision decision = valid ? acl.check(who.identity(), name, permission) : null;
            allowed = decision != null && decision.allowed();
            who.cache(acl, revision, permission, destination, allowed);
            if (!allowed && count) {
                refused(who, permission, destination, decision == null ? "not a channel name" : decision.reason());
            }
        }
        return allowed ? null : refusal(permission, destination);
    }

    /** The words a refused client is told; made only on a refusal, not for every message that passes. */
    private static String refusal(Permission permission, ActiveMQDestination destination) {
        String verb = permission == Permission.PUBLISH ? "publish to" : "subscribe to";
        return "forbidden: not allowed to " + verb + " " + name(destination);
    }

    private void refused(HalleySecurityContext who, Permission permission, ActiveMQDestination destination,
            String reason) {
        security.count(permission == Permission.PUBLISH ? "forbidden.publish" : "forbidden.subscribe");
        LOG.info("Refused {} on {} to {} {}: {}", who.identity(), who.where(), permission.code(), name(destination),
                reason);
    }

    private static boolean isPattern(String name) {
        try {
            ChannelName.requirePattern(name);
            return true;
        } catch (HalleyException e) {
            return false;
        }
    }

    /** The dispatch gate of client connections: a message goes out only on a channel the client may still read. */
    private boolean allowedToConsume(ConnectionContext context, Message message) {
        SecurityContext sc = context.getSecurityContext();
        if (!(sc instanceof HalleySecurityContext)) {
            return sc != null && sc.isBrokerContext();
        }
        HalleySecurityContext who = (HalleySecurityContext) sc;
        if (who.isSystem() || refusal(who, message.getDestination(), Permission.SUBSCRIBE, false) == null) {
            return true;
        }
        security.count("withheld.message");
        return false;
    }

    // ---- revocation -----------------------------------------------------------------

    /** Checks every live consumer of a client connection again, and ends those no longer allowed. */
    void recheck() {
        for (HalleySecurityContext who : live) {
            if (who.isSystem()) {
                continue;
            }
            who.forgetDecisions();
            for (ConsumerInfo consumer : who.consumers()) {
                String refusal = refusal(who, consumer.getDestination(), Permission.SUBSCRIBE, false);
                if (refusal != null) {
                    endConsumer(who, consumer, refusal);
                }
            }
        }
    }

    /**
     * Ends a consumer whose permission was taken back. A JMS client has its consumer
     * closed and its connection's ExceptionListener told; STOMP has no way to end one
     * subscription, so a STOMP client gets an ERROR frame and its connection is closed.
     * Either way the dispatch gate has already stopped its messages.
     */
    private void endConsumer(HalleySecurityContext who, ConsumerInfo consumer, String refusal) {
        who.removeConsumer(consumer.getConsumerId());
        security.count("revoked.subscribe");
        LOG.info("Ending the subscription of {} on {} to {}: permission taken back", who.identity(), who.where(),
                name(consumer.getDestination()));
        Connection connection = who.connection().getConnection();
        if (connection == null) {
            return;
        }
        if (who.isStomp()) {
            endConnection(who, new SecurityException(refusal));
            return;
        }
        ConsumerControl close = new ConsumerControl();
        close.setConsumerId(consumer.getConsumerId());
        close.setDestination(consumer.getDestination());
        close.setClose(true);
        connection.dispatchAsync(close);
        ConnectionError error = new ConnectionError();
        error.setConnectionId(who.connection().getConnectionId());
        error.setException(new SecurityException(refusal));
        connection.dispatchAsync(error);
    }

    /** Tells the client why, then closes its connection once the error had time to reach it. */
    private void endConnection(HalleySecurityContext who, SecurityException why) {
        live.remove(who);
        Connection connection = who.connection().getConnection();
        if (connection == null) {
            return;
        }
        ConnectionError error = new ConnectionError();
        error.setConnectionId(who.connection().getConnectionId());
        error.setException(why);
        connection.dispatchAsync(error);
        if (connection instanceof TransportConnection) {
            ((TransportConnection) connection).delayedStop(STOP_DELAY_MS, why.getMessage(), why);
        } else {
            try {
                connection.stop();
            } catch (Exception e) {
                LOG.debug("Connection of {} did not stop cleanly", who.identity(), e);
            }
        }
    }

    // ---- names ----------------------------------------------------------------------

    /** A destination as a client names it: a channel by its name, anything else by its kind too. */
    static String name(ActiveMQDestination destination) {
        return printable(destination.isTopic() && !destination.isTemporary() ? destination.getPhysicalName()
                : destination.getQualifiedName());
    }

    private static String remote(ConnectionContext context) {
        Connection connection = context.getConnection();
        String address = connection == null ? null : connection.getRemoteAddress();
        return address == null ? "" : printable(address);
    }

    /** Keeps what a client named readable in a log line and an error frame: no control characters, bounded. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && i < 200; i++) {
            char ch = s.charAt(i);
            b.append(ch < 0x20 || ch == 0x7f ? '?' : ch);
        }
        if (s.length() > 200) {
            b.append("...");
        }
        return b.toString();
    }
}
