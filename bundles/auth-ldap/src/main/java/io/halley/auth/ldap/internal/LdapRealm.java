package io.halley.auth.ldap.internal;

import java.nio.file.Path;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.config.KeystoreInstance;
import org.apache.karaf.jaas.modules.ldap.LDAPLoginModule;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a JAAS realm whose one module is Karaf's LDAP login module, reached through
 * Karaf's proxy module as Karaf's own realms are. With its default rank (100) it takes
 * over the name of Halley's properties realm (rank 0) while this bundle runs.
 *
 * <p>The realm is registered by hand rather than as the component's service: DS would
 * copy the configuration, bind password included, into the service's properties.
 */
@Component(service = {}, configurationPid = "io.halley.auth.ldap", configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = LdapConfig.class)
public class LdapRealm implements JaasRealm {

    private static final Logger LOG = LoggerFactory.getLogger(LdapRealm.class);

    private volatile String name;
    private volatile int rank;
    private volatile Map<String, Object> options;
    private ServiceRegistration<KeystoreInstance> trustStore;
    private ServiceRegistration<JaasRealm> registration;

    @Activate
    void activate(BundleContext context, LdapConfig config) {
        name = config.realm();
        rank = config.rank();
        String trustStoreName = null;
        if (!config.ssl_truststore().isBlank()) {
            if (!config.url().trim().startsWith("ldaps://")) {
                throw new IllegalArgumentException("ssl.truststore is for ldaps:// urls; StartTLS is not supported");
            }
            trustStoreName = "halley-ldap-" + name;
            TrustStore store = TrustStore.load(trustStoreName, Path.of(config.ssl_truststore().trim()),
                    config.ssl_truststoreType(), config.ssl_truststorePassword().toCharArray());
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("name", trustStoreName);
            trustStore = context.registerService(KeystoreInstance.class, store, props);
        }
        Map<String, Object> o = new HashMap<>(LdapOptions.moduleOptions(config, trustStoreName));
        o.put(BundleContext.class.getName(), context);
        o.put(ProxyLoginModule.PROPERTY_MODULE, LDAPLoginModule.class.getName());
        o.put(ProxyLoginModule.PROPERTY_BUNDLE,
                Long.toString(FrameworkUtil.getBundle(LDAPLoginModule.class).getBundleId()));
        options = Map.copyOf(o);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("realm.name", name);
        props.put("realm.rank", rank);
        registration = context.registerService(JaasRealm.class, this, props);
        LOG.info("Registered the LDAP realm {} (rank {}) on {}, users under {}", name, rank, config.url(),
                config.userBaseDn());
    }

    @Deactivate
    void deactivate() {
        for (ServiceRegistration<?> r : new ServiceRegistration<?>[] {registration, trustStore}) {
            if (r != null) {
                try {
                    r.unregister();
                } catch (IllegalStateException e) {
                    // already gone with the bundle
                }
            }
        }
        registration = null;
        trustStore = null;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getRank() {
        return rank;
    }

    @Override
    public AppConfigurationEntry[] getEntries() {
        return new AppConfigurationEntry[] {new AppConfigurationEntry(ProxyLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
    }

    @Override
    public String toString() {
        return "LDAP realm " + name + " (rank " + rank + ") on " + options.get("connection.url");
    }
}
