package io.halley.broker.internal;

import java.io.File;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import javax.jms.ConnectionFactory;

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

import io.halley.api.AccessControl;
import io.halley.api.AccessControlListener;
import io.halley.api.Authenticator;
import io.halley.api.BrokerStatus;

/**
 * Runs the broker and offers its {@link ConnectionFactory} to the rest of Halley.
 *
 * <p>The factory is registered by hand, not by DS: DS would publish it before
 * {@code activate} has started the broker, and would withdraw it only after
 * {@code deactivate} had stopped it. There is no {@code @Modified}: a new
 * configuration restarts the broker, which is what changing a port or the store needs.
 *
 * <p>The embedded broker logs every client in through the {@link Authenticator} and checks
 * its consumers and messages against the {@link AccessControl}; both are optional and
 * dynamic, so the broker keeps running while they come and go (without an access control
 * it refuses every channel operation of clients). Halley's own connections, made by the
 * registered factory, carry an internal credential made at random for each broker start.
 */
@Component(
        configurationPid = BrokerComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true,
        service = {})
@Designate(ocd = BrokerConfig.class)
public class BrokerComponent {

    static final String PID = "io.halley.broker";
    static final String SERVICE_NAME = "halley";
    static final String MODE_PROPERTY = "halley.broker.mode";

    private static final Logger LOG = LoggerFactory.getLogger(BrokerComponent.class);

    // read by the broker at every login and check, so that the services may come and go under a running broker
    private final AtomicReference<Authenticator> authenticator = new AtomicReference<>();
    private final AtomicReference<AccessControl> accessControl = new AtomicReference<>();
    private volatile BrokerSecurity security;

    private BrokerRunner runner;
    private ServiceRegistration<ConnectionFactory> registration;
    private ServiceRegistration<AccessControlListener> listenerRegistration;
    private ServiceRegistration<BrokerStatus> statusRegistration;

    @Activate
    void activate(BundleContext context, BrokerConfig config) throws Exception {
        boolean embedded = BrokerConfig.MODE_EMBEDDED.equals(config.mode());
        File data = embedded ? dataDirectory(context, config) : null;
        // an external broker enforces its own rules; Halley logs in to it with externalUser
        BrokerSecurity starting = embedded ? new BrokerSecurity(authenticator::get, accessControl::get) : null;
        BrokerRunner startingRunner = new BrokerRunner(config, data, starting);
        try {
            startingRunner.start();
        } catch (Exception e) {
            LOG.error("Broker {} not started: {}", config.brokerName(), e.getMessage());
            throw e;
        }
        runner = startingRunner;
        security = starting;
        if (starting != null && accessControl.get() == null) {
            LOG.warn("Broker {} runs without an AccessControl service: clients' channel operations are refused until "
                    + "one comes (feature halley-acl)", config.brokerName());
        }
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("name", SERVICE_NAME);
        properties.put(MODE_PROPERTY, config.mode());
        try {
            registration = context.registerService(ConnectionFactory.class, startingRunner.connectionFactory(),
                    properties);
            if (starting != null) {
                AccessControlListener listener = starting::rulesChanged;
                listenerRegistration = context.registerService(AccessControlListener.class, listener,
                        new Hashtable<>(Map.of("name", SERVICE_NAME)));
                // the health of the embedded broker, for the console and the metrics; an external broker has its own
                statusRegistration = context.registerService(BrokerStatus.class,
                        new BrokerHealth(config.brokerName(), startingRunner::broker),
                        new Hashtable<>(Map.of("name", SERVICE_NAME)));
            }
        } catch (RuntimeException e) {
            // DS will not call deactivate after a failed activate
            deactivate();
            throw e;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAuthenticator(Authenticator service) {
        authenticator.set(service);
    }

    void unbindAuthenticator(Authenticator service) {
        authenticator.compareAndSet(service, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindAccessControl(AccessControl service) {
        accessControl.set(service);
        rulesChanged();
    }

    void unbindAccessControl(AccessControl service) {
        if (accessControl.compareAndSet(service, null)) {
            // fail closed: without rules, what was allowed is no more
            LOG.warn("AccessControl service gone: the broker refuses clients' channel operations until one comes");
            rulesChanged();
        }
    }

    private void rulesChanged() {
        BrokerSecurity current = security;
        if (current != null) {
            current.rulesChanged();
        }
    }

    /** @return the running broker's security, or null; for tests */
    BrokerSecurity security() {
        return security;
    }

    @Deactivate
    void deactivate() {
        if (statusRegistration != null) {
            try {
                statusRegistration.unregister();
            } catch (IllegalStateException alreadyGone) {
                LOG.debug("BrokerStatus registration was already gone", alreadyGone);
            }
            statusRegistration = null;
        }
        if (listenerRegistration != null) {
            try {
                listenerRegistration.unregister();
            } catch (IllegalStateException alreadyGone) {
                LOG.debug("AccessControlListener registration was already gone", alreadyGone);
            }
            listenerRegistration = null;
        }
        security = null;
        if (registration != null) {
            // users let go of the factory before the broker under it goes away
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                LOG.debug("ConnectionFactory registration was already gone", alreadyGone);
            }
            registration = null;
        }
        if (runner != null) {
            try {
                runner.stop();
            } catch (Exception e) {
                LOG.warn("Broker did not stop cleanly", e);
            }
            runner = null;
        }
    }

    /** The configured directory, else {@code <karaf.data>/halley/broker}, else the bundle's own data area. */
    static File dataDirectory(BundleContext context, BrokerConfig config) {
        if (!config.dataDirectory().isBlank()) {
            return new File(config.dataDirectory().trim());
        }
        // a framework property, which Karaf sets; a system property may not exist in other launchers
        String karafData = context.getProperty("karaf.data");
        if (karafData != null && !karafData.isBlank()) {
            return new File(new File(karafData, "halley"), "broker");
        }
        File bundleData = context.getDataFile("broker");
        if (bundleData == null) {
            throw new IllegalStateException("no dataDirectory configured, no karaf.data and no bundle data area");
        }
        return bundleData;
    }
}
