package io.halley.itests;

import java.util.Dictionary;

/** The configuration of the halley-auth-ldap realm for the test directory (see ldap/matrix.ldif). */
final class LdapSettings {

    private LdapSettings() {
    }

    static void put(Dictionary<String, Object> props, int port) {
        props.put("connection.url", "ldap://127.0.0.1:" + port);
        props.put("user.base.dn", "ou=people,dc=halley,dc=test");
        props.put("user.filter", "(uid=%u)");
        props.put("user.search.subtree", "true");
        props.put("role.base.dn", "ou=groups,dc=halley,dc=test");
        props.put("role.filter", "(member=%fqdn)");
        props.put("role.name.attribute", "cn");
        props.put("role.search.subtree", "true");
        props.put("role.mapping", "news-team=news-readers,news-writers;halley-admins=halley-admin");
    }
}
