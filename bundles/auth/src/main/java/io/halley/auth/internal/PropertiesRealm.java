package io.halley.auth.internal;

import java.util.HashMap;
import java.util.Map;

import javax.security.auth.login.AppConfigurationEntry;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.config.JaasRealm;

/**
 * Halley's default realm: Karaf's properties login module on a users file, reached
 * through Karaf's proxy module as Karaf's own realms are (the proxy loads the module
 * from the bundle that exports it). Rank 0, so that any other realm of the same name,
 * such as the LDAP one, wins while it is installed.
 */
final class PropertiesRealm implements JaasRealm {

    static final String MODULE = "org.apache.karaf.jaas.modules.properties.PropertiesLoginModule";

    private final String name;
    private final Map<String, Object> options;

    /** @param options the proxy's options: the module's, plus the module class and bundle */
    PropertiesRealm(String name, Map<String, Object> options) {
        this.name = name;
        this.options = Map.copyOf(options);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getRank() {
        return 0;
    }

    @Override
    public AppConfigurationEntry[] getEntries() {
        return new AppConfigurationEntry[] {new AppConfigurationEntry(ProxyLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, options)};
    }

    /** @return the options of Karaf's properties login module for this configuration (without the proxy's) */
    static Map<String, Object> moduleOptions(String usersFile, AuthConfig config) {
        Map<String, Object> options = new HashMap<>();
        options.put("users", usersFile);
        if (config.encryption_enabled()) {
            options.put("encryption.enabled", "true");
            options.put("encryption.name", config.encryption_name());
            options.put("encryption.prefix", config.encryption_prefix());
            options.put("encryption.suffix", config.encryption_suffix());
            options.put("encryption.algorithm", config.encryption_algorithm());
            options.put("encryption.encoding", config.encryption_encoding());
        }
        return options;
    }

    @Override
    public String toString() {
        return "properties realm " + name + " on " + options.get("users");
    }
}
