package io.halley.auth.ldap.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * The options of Karaf's {@code LDAPLoginModule} (its {@code LDAPOptions} names) for a
 * configuration. A pure function, so that the tests drive Karaf's module with exactly
 * what the realm gives it.
 */
final class LdapOptions {

    /** JNDI's LDAP timeouts, passed through the module's {@code context.} options into the JNDI environment. */
    static final String CONNECT_TIMEOUT = "context.com.sun.jndi.ldap.connect.timeout";
    static final String READ_TIMEOUT = "context.com.sun.jndi.ldap.read.timeout";

    private LdapOptions() {
    }

    /**
     * @param trustStoreName the name of the truststore registered for Karaf's keystore
     *                       manager, or {@code null} to trust the JVM's default CAs
     * @return the module's options, all strings (Karaf's module reads some with a cast)
     * @throws IllegalArgumentException for a configuration the module would misuse
     */
    static Map<String, String> moduleOptions(LdapConfig c, String trustStoreName) {
        String url = c.url().trim();
        boolean ldaps = url.startsWith("ldaps://");
        if (!ldaps && !url.startsWith("ldap://")) {
            throw new IllegalArgumentException("url must start with ldap:// or ldaps://: " + url);
        }
        if (!c.userFilter().contains("%u")) {
            throw new IllegalArgumentException("userFilter must contain %u: " + c.userFilter());
        }
        if (c.connectTimeout() <= 0 || c.readTimeout() <= 0) {
            // JNDI's default for both is to wait for ever
            throw new IllegalArgumentException("connectTimeout and readTimeout must be positive");
        }
        Map<String, String> o = new HashMap<>();
        o.put("connection.url", url);
        if (!c.bindDn().isBlank()) {
            o.put("connection.username", c.bindDn().trim());
            o.put("connection.password", c.bindPassword());
        }
        o.put("user.base.dn", c.userBaseDn().trim());
        o.put("user.filter", c.userFilter().trim());
        o.put("user.search.subtree", Boolean.toString(c.userSearchSubtree()));
        if (!c.roleBaseDn().isBlank() && !c.roleFilter().isBlank()) {
            o.put("role.base.dn", c.roleBaseDn().trim());
            o.put("role.filter", c.roleFilter().trim());
            o.put("role.name.attribute", c.roleNameAttribute().trim());
            o.put("role.search.subtree", Boolean.toString(c.roleSearchSubtree()));
        }
        String mapping = roleMapping(c.roleMapping());
        if (!mapping.isEmpty()) {
            o.put("role.mapping", mapping);
        }
        o.put("authentication", c.authentication().trim());
        // never an anonymous bind with an empty password passing for a login
        o.put("allowEmptyPasswords", "false");
        o.put("disableCache", Boolean.toString(!c.cache()));
        o.put("ignorePartialResultException", Boolean.toString(c.ignorePartialResultException()));
        o.put(CONNECT_TIMEOUT, Integer.toString(c.connectTimeout()));
        o.put(READ_TIMEOUT, Integer.toString(c.readTimeout()));
        // Karaf's "ssl" switch means its keystore manager's socket factory; without a
        // truststore of ours, ldaps:// still speaks TLS through the JVM's default factory
        boolean karafSsl = ldaps && trustStoreName != null;
        o.put("ssl", Boolean.toString(karafSsl));
        if (karafSsl) {
            o.put("ssl.truststore", trustStoreName);
            o.put("ssl.protocol", c.ssl_protocol().trim());
        }
        return o;
    }

    /** Checks and normalises {@code group=role1,role2;group2=role3} (Karaf's syntax). */
    static String roleMapping(String text) {
        StringBuilder b = new StringBuilder();
        for (String mapping : text.split(";")) {
            if (mapping.isBlank()) {
                continue;
            }
            int eq = mapping.lastIndexOf('=');
            if (eq <= 0 || eq == mapping.length() - 1 || mapping.substring(eq + 1).isBlank()) {
                throw new IllegalArgumentException("roleMapping wants group=role1,role2;group2=role3, not: " + mapping);
            }
            if (b.length() > 0) {
                b.append(';');
            }
            b.append(mapping.substring(0, eq).trim()).append('=');
            String[] roles = mapping.substring(eq + 1).split(",");
            for (int i = 0; i < roles.length; i++) {
                b.append(i == 0 ? "" : ",").append(roles[i].trim());
            }
        }
        return b.toString();
    }
}
