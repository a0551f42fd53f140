package io.halley.auth.internal;

import io.halley.api.Identity;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.jaas.modules.BackingEngine;
import org.apache.karaf.jaas.modules.BackingEngineFactory;

/**
 * Finds a realm user's roles without a password, through the Karaf backing engine of
 * the realm's login module (as {@code jaas:user-list} does): the properties engine, and
 * the LDAP engine (read-only). A realm whose module has no engine cannot be searched.
 */
final class RealmLookup {

    private RealmLookup() {
    }

    /**
     * Karaf's LDAP engine puts the name into its search filter unescaped (and through
     * {@code String.replaceAll}), so names with filter or replacement characters are
     * not looked up at all: no realm user needs them.
     */
    static boolean searchable(String user) {
        if (user == null || user.isBlank() || user.length() > 256) {
            return false;
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c < 0x20 || c == 0x7f || "*()\\$&|!=<>~".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    static Optional<Identity> lookup(String user, Configuration jaas, String realm, List<BackingEngineFactory> factories) {
        if (!searchable(user) || jaas == null) {
            return Optional.empty();
        }
        AppConfigurationEntry[] entries = jaas.getAppConfigurationEntry(realm);
        if (entries == null) {
            return Optional.empty();
        }
        for (AppConfigurationEntry entry : entries) {
            Map<String, ?> options = entry.getOptions();
            Object module = options.get(ProxyLoginModule.PROPERTY_MODULE);
            String moduleClass = module instanceof String s ? s : entry.getLoginModuleName();
            for (BackingEngineFactory factory : factories) {
                if (!moduleClass.equals(factory.getModuleClass())) {
                    continue;
                }
                BackingEngine engine = factory.build(options);
                if (engine == null) {
                    continue;
                }
                UserPrincipal principal = engine.lookupUser(user);
                if (principal == null) {
                    continue;
                }
                Set<String> roles = new LinkedHashSet<>();
                for (RolePrincipal role : engine.listRoles(principal)) {
                    roles.add(role.getName().strip());
                }
                return Optional.of(Identity.user(user, roles));
            }
        }
        return Optional.empty();
    }
}
