package io.halley.auth.ldap.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

import io.halley.auth.internal.LoginFailures;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.jaas.modules.ldap.LDAPLoginModule;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.util.converter.Converters;

/**
 * Karaf's LDAP login module, driven with exactly the options this bundle's realm gives
 * it, against an in-memory directory loaded from {@code halley.ldif}.
 */
public class LdapRealmTest {

    private InMemoryDirectoryServer server;
    private int port;

    @Before
    public void startDirectory() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=halley,dc=io");
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap",
                InetAddress.getByName("127.0.0.1"), 0, null));
        server = new InMemoryDirectoryServer(config);
        server.importFromLDIF(true, Path.of(LdapRealmTest.class.getResource("/halley.ldif").toURI()).toFile());
        server.startListening();
        port = server.getListenPort();
    }

    @After
    public void stopDirectory() {
        server.shutDown(true);
    }

    static LdapConfig config(Object... keyValues) {
        Map<String, Object> c = new HashMap<>();
        c.put("userBaseDn", "ou=users,dc=halley,dc=io");
        c.put("roleBaseDn", "ou=groups,dc=halley,dc=io");
        c.put("bindDn", "cn=halley-search,ou=system,dc=halley,dc=io");
        c.put("bindPassword", "search-pw");
        c.put("roleMapping", "halley-admins=halley-admin");
        for (int i = 0; i < keyValues.length; i += 2) {
            c.put((String) keyValues[i], keyValues[i + 1]);
        }
        return Converters.standardConverter().convert(c).to(LdapConfig.class);
    }

    private LdapConfig local(Object... keyValues) {
        List<Object> all = new ArrayList<>(List.of("url", "ldap://127.0.0.1:" + port));
        all.addAll(List.of(keyValues));
        return config(all.toArray());
    }

    /** A JAAS configuration with one realm: Karaf's LDAP module with the realm's options. */
    static Configuration jaas(LdapConfig config) {
        Map<String, String> options = LdapOptions.moduleOptions(config, null);
        return new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return name.equals("halley") ? new AppConfigurationEntry[] {new AppConfigurationEntry(
                        LDAPLoginModule.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                        options)} : null;
            }
        };
    }

    static Subject login(LdapConfig config, String user, String password) throws LoginException {
        Subject subject = new Subject();
        new LoginContext("halley", subject, callbacks -> {
            for (Callback c : callbacks) {
                if (c instanceof NameCallback n) {
                    n.setName(user);
                } else if (c instanceof PasswordCallback p) {
                    p.setPassword(password.toCharArray());
                }
            }
        }, jaas(config)).login();
        return subject;
    }

    private static Set<String> roles(Subject subject) {
        Set<String> roles = new LinkedHashSet<>();
        subject.getPrincipals(RolePrincipal.class).forEach(r -> roles.add(r.getName()));
        return roles;
    }

    private static LoginFailures.Kind failure(LdapConfig config, String user, String password) {
        try {
            login(config, user, password);
            fail(user + " logged in");
            return null;
        } catch (LoginException e) {
            return LoginFailures.classify(e);
        }
    }

    @Test
    public void usersLogInWithTheirGroupsMappedToRoles() throws Exception {
        Subject alice = login(local(), "alice", "alice-pw");
        assertEquals(Set.of("halley-admin"), roles(alice));
        assertEquals("alice", alice.getPrincipals(UserPrincipal.class).iterator().next().getName());
        assertEquals(Set.of("news-readers"), roles(login(local(), "bob", "bob-pw")));
        assertEquals(Set.of(), roles(login(local(), "carol", "carol-pw")));
        // several roles for one group, and an anonymous search (no bind DN)
        LdapConfig anonymous = local("bindDn", "", "bindPassword", "",
                "roleMapping", "halley-admins = halley-admin, news-writer ; news-readers=news-reader");
        assertEquals(Set.of("halley-admin", "news-writer"), roles(login(anonymous, "alice", "alice-pw")));
        assertEquals(Set.of("news-reader"), roles(login(anonymous, "bob", "bob-pw")));
    }

    @Test
    public void membershipByUidWorksToo() throws Exception {
        // the in-memory server's default schema has no RFC 2307 (posixGroup): a server without schema checking
        server.shutDown(true);
        InMemoryDirectoryServerConfig noSchema = new InMemoryDirectoryServerConfig("dc=halley,dc=io");
        noSchema.setSchema(null);
        noSchema.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap",
                InetAddress.getByName("127.0.0.1"), 0, null));
        server = new InMemoryDirectoryServer(noSchema);
        server.importFromLDIF(true, Path.of(LdapRealmTest.class.getResource("/halley.ldif").toURI()).toFile());
        server.startListening();
        port = server.getListenPort();
        server.add("dn: cn=posix-admins,ou=groups,dc=halley,dc=io", "objectClass: top", "objectClass: posixGroup",
                "cn: posix-admins", "gidNumber: 1000", "memberUid: carol");
        LdapConfig config = local("roleFilter", "(memberUid=%u)", "roleMapping", "posix-admins=halley-admin");
        assertEquals(Set.of("halley-admin"), roles(login(config, "carol", "carol-pw")));
    }

    @Test
    public void karafsCacheMayBeOn() throws Exception {
        LdapConfig cached = local("cache", "true");
        assertEquals(Set.of("halley-admin"), roles(login(cached, "alice", "alice-pw")));
        assertEquals(Set.of("halley-admin"), roles(login(cached, "alice", "alice-pw")));
        assertEquals(LoginFailures.Kind.REFUSED, failure(cached, "alice", "wrong"));
    }

    @Test
    public void wrongPasswordsAndUnknownUsersAreRefused() {
        assertEquals(LoginFailures.Kind.REFUSED, failure(local(), "alice", "bob-pw"));
        assertEquals(LoginFailures.Kind.REFUSED, failure(local(), "alice", "ALICE-PW"));
        assertEquals(LoginFailures.Kind.REFUSED, failure(local(), "nobody", "alice-pw"));
        assertEquals(LoginFailures.Kind.REFUSED, failure(local(), "alice", ""));
        // the search account is not a user
        assertEquals(LoginFailures.Kind.REFUSED, failure(local(), "halley-search", "search-pw"));
    }

    @Test
    public void filterCharactersInUserNamesNeverMatch() {
        String[] names = {"*", "al*", "alice)(uid=*", "alice)(|(uid=*", "*)(uid=alice", "\\", "alice\\", "\\2a",
            "alice\u0000", "(uid=alice)", "alice*", "*alice*"};
        for (String name : names) {
            for (String password : new String[] {"alice-pw", "bob-pw", "x"}) {
                assertEquals(name, LoginFailures.Kind.REFUSED, failure(local(), name, password));
            }
        }
    }

    @Test
    public void aStoppedDirectoryIsUnavailable() {
        server.shutDown(true);
        long start = System.nanoTime();
        assertEquals(LoginFailures.Kind.UNAVAILABLE, failure(local(), "alice", "alice-pw"));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 10_000);
    }

    @Test
    public void aDirectoryThatDoesNotAnswerIsUnavailableWithinTheReadTimeout() throws IOException {
        // accepts connections and never answers: a hung directory
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket hole = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = hole.accept();
                        synchronized (accepted) {
                            accepted.add(s);
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "black-hole");
            acceptor.setDaemon(true);
            acceptor.start();
            // JNDI waits for a bind's answer as long as connectTimeout, for other answers readTimeout
            LdapConfig config = config("url", "ldap://127.0.0.1:" + hole.getLocalPort(), "connectTimeout", "300",
                    "readTimeout", "300");
            long start = System.nanoTime();
            assertEquals(LoginFailures.Kind.UNAVAILABLE, failure(config, "alice", "alice-pw"));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue("took " + took + " ms", took >= 250 && took < 5_000);
        } finally {
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    @Test
    public void theOptionsAreKarafs() {
        Map<String, String> o = LdapOptions.moduleOptions(config("url", "ldaps://ldap.example.com:636",
                "connectTimeout", "1500", "readTimeout", "2500", "roleMapping", " a = x , y ;b=z;"), null);
        assertEquals("ldaps://ldap.example.com:636", o.get("connection.url"));
        assertEquals("cn=halley-search,ou=system,dc=halley,dc=io", o.get("connection.username"));
        assertEquals("search-pw", o.get("connection.password"));
        assertEquals("(uid=%u)", o.get("user.filter"));
        assertEquals("(member=%fqdn)", o.get("role.filter"));
        assertEquals("cn", o.get("role.name.attribute"));
        assertEquals("a=x,y;b=z", o.get("role.mapping"));
        assertEquals("1500", o.get("context.com.sun.jndi.ldap.connect.timeout"));
        assertEquals("2500", o.get("context.com.sun.jndi.ldap.read.timeout"));
        assertEquals("false", o.get("allowEmptyPasswords"));
        assertEquals("true", o.get("disableCache"));
        // ldaps without a truststore of ours: TLS through the JVM's default trust, not Karaf's keystore manager
        assertEquals("false", o.get("ssl"));
        assertFalse(o.containsKey("ssl.truststore"));
        Map<String, String> withTrust = LdapOptions.moduleOptions(config("url", "ldaps://ldap.example.com"),
                "halley-ldap-halley");
        assertEquals("true", withTrust.get("ssl"));
        assertEquals("halley-ldap-halley", withTrust.get("ssl.truststore"));
        assertEquals("TLS", withTrust.get("ssl.protocol"));

        for (Object[] bad : new Object[][] {{"url", "http://x"}, {"userFilter", "(uid=alice)"},
            {"readTimeout", "0"}, {"roleMapping", "nogroup"}, {"roleMapping", "g="}}) {
            try {
                LdapOptions.moduleOptions(config(bad), null);
                fail("accepted " + List.of(bad));
            } catch (IllegalArgumentException expected) {
                // the component does not activate, and says why
            }
        }
    }
}
