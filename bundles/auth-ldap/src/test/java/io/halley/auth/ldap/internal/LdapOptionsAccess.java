package io.halley.auth.ldap.internal;

import java.util.Map;

/** The realm's options for tests outside this package. */
public final class LdapOptionsAccess {

    private LdapOptionsAccess() {
    }

    public static Map<String, String> options(String url) {
        return LdapOptions.moduleOptions(LdapRealmTest.config("url", url), null);
    }
}
