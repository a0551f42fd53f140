package io.halley.broker.internal;

import java.io.File;
import java.util.Dictionary;
import java.util.Hashtable;

import javax.jms.ConnectionFactory;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the broker and offers its {@link ConnectionFactory} to the rest of Halley.
 *
 * <p>The factory is registered by hand, not by DS: DS would publish it before
 * {@code activate} has started the broker, and would withdraw it only after
 * {@code deactivate} had stopped it. There is no {@code @Modified}: a new
 * configuration restarts the broker, which is what changing a port or the store needs.
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

    private BrokerRunner runner;
    private ServiceRegistration<ConnectionFactory> registration;

    @Activate
    void activate(BundleContext context, BrokerConfig config) throws Exception {
        File data = BrokerConfig.MODE_EMBEDDED.equals(config.mode()) ? dataDirectory(context, config) : null;
        BrokerRunner starting = new BrokerRunner(config, data);
        starting.start();
        runner = starting;
        Dictionary<String, Object> properties = new Hashtable<>();
        properties.put("name", SERVICE_NAME);
        properties.put(MODE_PROPERTY, config.mode());
        try {
            registration = context.registerService(ConnectionFactory.class, starting.connectionFactory(), properties);
        } catch (RuntimeException e) {
            // DS will not call deactivate after a failed activate
            deactivate();
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
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
