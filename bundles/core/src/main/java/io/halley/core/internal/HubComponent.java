package io.halley.core.internal;

import io.halley.api.AccessControl;
import io.halley.api.AccessControlListener;
import io.halley.api.Authenticator;
import io.halley.api.ChannelInfo;
import io.halley.api.Credentials;
import io.halley.api.Connected;
import io.halley.api.SessionListener;
import io.halley.api.ErrorCode;
import io.halley.api.Hub;
import io.halley.api.Publisher;
import io.halley.api.Session;
import io.halley.api.SessionInfo;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.jms.ConnectionFactory;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The hub as an OSGi service. Its sessions outlive the broker: when the broker's
 * {@link ConnectionFactory} goes away the bridge stops (and the {@link Publisher} service
 * with it), and when one comes back the bridge reconnects; the durable subscription
 * then delivers what was published in between.
 */
@Component(service = Hub.class, configurationPid = "io.halley.core", configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = HubConfig.class)
public class HubComponent implements Hub {

    private static final Logger LOG = LoggerFactory.getLogger(HubComponent.class);

    private volatile HubCore hub;
    private BundleContext context;
    /** Runs the reaper and every bridge start and stop, one at a time. */
    private ScheduledExecutorService scheduler;

    // guarded by this
    private ConnectionFactory factory;
    private JmsBridge bridge;
    private ServiceRegistration<Publisher> publisherRegistration;
    private long retryDelay = 500;

    @Activate
    void activate(BundleContext context, HubConfig config) {
        this.context = context;
        this.hub = new HubCore(config, System::currentTimeMillis);
        hub.namespaces(namespaces);
        hub.accessControl(accessControl);
        hub.authenticator(authenticator);
        HubCore h = hub;
        aclListener = context.registerService(AccessControlListener.class, h::recheckSubscriptions, null);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "halley-hub");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(100, Math.min(1000, config.sessionLifetime() / 4));
        scheduler.scheduleWithFixedDelay(hub::expire, period, period, TimeUnit.MILLISECONDS);
        scheduler.execute(this::connectBroker);
    }

    @Deactivate
    void deactivate() {
        try {
            aclListener.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the bundle is stopping
        }
        scheduler.shutdownNow();
        synchronized (this) {
            disconnect();
            factory = null;
        }
        hub.shutdown();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(name=halley)")
    void bindConnectionFactory(ConnectionFactory cf) {
        synchronized (this) {
            factory = cf;
            retryDelay = 500;
        }
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.execute(this::connectBroker);
        }
    }

    void unbindConnectionFactory(ConnectionFactory cf) {
        synchronized (this) {
            if (factory != cf) {
                return;
            }
            factory = null;
            // synchronously: the broker is about to stop and must not find us still attached
            disconnect();
        }
    }

    private synchronized void connectBroker() {
        if (factory == null || bridge != null || scheduler.isShutdown()) {
            return;
        }
        ConnectionFactory cf = factory;
        try {
            bridge = new JmsBridge(hub, cf, this::connectionFailed);
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("name", "halley");
            publisherRegistration = context.registerService(Publisher.class, bridge, props);
            hub.publisher(bridge);
            retryDelay = 500;
            LOG.info("The hub is consuming the broker's topics");
        } catch (Exception e) {
            LOG.warn("Cannot connect to the broker, retrying in {} ms: {}", retryDelay, e.toString());
            scheduler.schedule(this::connectBroker, retryDelay, TimeUnit.MILLISECONDS);
            retryDelay = Math.min(30_000, retryDelay * 2);
        }
    }

    private void connectionFailed() {
        ScheduledExecutorService s = scheduler;
        if (s.isShutdown()) {
            return;
        }
        s.execute(() -> {
            synchronized (this) {
                disconnect();
            }
            s.schedule(this::connectBroker, retryDelay, TimeUnit.MILLISECONDS);
        });
    }

    /** Called holding the lock. */
    private void disconnect() {
        hub.publisher(null);
        if (publisherRegistration != null) {
            try {
                publisherRegistration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping and the framework already removed it
            }
            publisherRegistration = null;
        }
        if (bridge != null) {
            bridge.close();
            bridge = null;
        }
    }

    // the access control and authenticator may come and go: without them the hub refuses
    // every credential and every channel (fail closed), and its sessions live on
    private volatile AccessControl accessControl;
    private volatile Authenticator authenticator;
    private ServiceRegistration<AccessControlListener> aclListener;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAccessControl(AccessControl acl) {
        accessControl = acl;
        HubCore h = hub;
        if (h != null) {
            h.accessControl(acl);
        }
    }

    void unbindAccessControl(AccessControl acl) {
        if (accessControl == acl) {
            accessControl = null;
            HubCore h = hub;
            if (h != null) {
                h.accessControl(null);
                h.recheckSubscriptions();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAuthenticator(Authenticator a) {
        authenticator = a;
        HubCore h = hub;
        if (h != null) {
            h.authenticator(a);
        }
    }

    void unbindAuthenticator(Authenticator a) {
        if (authenticator == a) {
            authenticator = null;
            HubCore h = hub;
            if (h != null) {
                h.authenticator(null);
            }
        }
    }

    private final List<Namespace> namespaces = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindNamespace(Namespace n) {
        namespaces.add(n);
        HubCore h = hub;
        if (h != null) {
            h.namespaces(namespaces);
        }
    }

    void unbindNamespace(Namespace n) {
        namespaces.remove(n);
        HubCore h = hub;
        if (h != null) {
            h.namespaces(namespaces);
        }
    }

    @Override
    public Connected connect(String connectFrame, String transport, String remoteAddress, Credentials credentials,
            SessionListener listener) {
        return hub.connect(connectFrame, transport, remoteAddress, credentials, listener);
    }

    @Override
    public int maxClientFrameSize() {
        return hub.maxClientFrameSize();
    }

    @Override
    public Session openSession(String transport, String remoteAddress, Credentials credentials, Collection<String> patterns) {
        return hub.openSession(transport, remoteAddress, credentials, patterns);
    }

    @Override
    public Session resume(String id, Credentials credentials) {
        return hub.resume(id, credentials);
    }

    @Override
    public Optional<Session> findSession(String id) {
        return hub.findSession(id);
    }

    @Override
    public List<SessionInfo> sessions() {
        return hub.sessions();
    }

    @Override
    public List<ChannelInfo> channels() {
        return hub.channels();
    }

    @Override
    public List<io.halley.api.Message> recentMessages(String channel, int max) {
        return hub.recentMessages(channel, max);
    }

    @Override
    public int maxSubscriptionsPerSession() {
        return hub.maxSubscriptionsPerSession();
    }

    @Override
    public void countError(String source, ErrorCode code) {
        hub.countError(source, code);
    }

    @Override
    public Map<String, Long> counters() {
        return hub.counters();
    }
}
