package io.halley.itests;

import java.util.Dictionary;

/** The configuration of the halley-auth-ldap realm for the test directory (see ldap/matrix.ldif). */
final class LdapSettings {

    private LdapSettings() {
    }

    static void put(Dictionary<String, Object> props, int port) {
        props.put("url", "ldap://127.0.0.1:" + port);
        props.put("userBaseDn", "ou=people,dc=halley,dc=test");
        props.put("userFilter", "(uid=%u)");
        props.put("userSearchSubtree", "true");
        props.put("roleBaseDn", "ou=groups,dc=halley,dc=test");
        props.put("roleFilter", "(member=%fqdn)");
        props.put("roleNameAttribute", "cn");
        props.put("roleSearchSubtree", "true");
        props.put("roleMapping", "news-team=news-readers,news-writers;halley-admins=halley-admin");
        props.put("connectTimeout", "2000");
        props.put("readTimeout", "4000");
    }
}
