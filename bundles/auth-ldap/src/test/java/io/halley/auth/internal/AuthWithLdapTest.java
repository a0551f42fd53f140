package io.halley.auth.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;

import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;

import org.apache.karaf.jaas.modules.ldap.LDAPBackingEngineFactory;
import org.apache.karaf.jaas.modules.ldap.LDAPLoginModule;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.util.converter.Converters;

/**
 * Halley's authenticator (bundles/auth) with Karaf's LDAP module as its realm, configured
 * as this bundle configures it: what a client sees. In bundles/auth's package to reach
 * the component's test seams; the options are built by the LDAP realm's own function.
 */
public class AuthWithLdapTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private InMemoryDirectoryServer server;
    private AuthComponent auth;

    @Before
    public void start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=halley,dc=io");
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap",
                InetAddress.getByName("127.0.0.1"), 0, null));
        server = new InMemoryDirectoryServer(config);
        server.importFromLDIF(true, Path.of(AuthWithLdapTest.class.getResource("/halley.ldif").toURI()).toFile());
        server.startListening();

        Map<String, String> options = io.halley.auth.ldap.internal.LdapOptionsAccess.options(
                "ldap://127.0.0.1:" + server.getListenPort());
        auth = new AuthComponent();
        auth.jaas = () -> new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                return name.equals("halley") ? new AppConfigurationEntry[] {new AppConfigurationEntry(
                        LDAPLoginModule.class.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                        options)} : null;
            }
        };
        auth.backingEngines = List.of(new LDAPBackingEngineFactory());
        Map<String, Object> c = new HashMap<>();
        c.put("apiKeysFile", tmp.getRoot().toPath().resolve("keys.properties").toString());
        c.put("loginTimeout", "3000");
        auth.activate(null, Converters.standardConverter().convert(c).to(AuthConfig.class));
    }

    @After
    public void stop() {
        auth.deactivate();
        server.shutDown(true);
    }

    private void assertError(ErrorCode code, Credentials credentials) {
        try {
            fail("accepted " + auth.authenticate(credentials));
        } catch (HalleyException e) {
            assertEquals(code, e.code());
        }
    }

    @Test
    public void directoryUsersLogInWithMappedRoles() {
        assertEquals(Identity.user("alice", Set.of("halley-admin")),
                auth.authenticate(Credentials.password("alice", "alice-pw")));
        assertEquals(Set.of("news-readers"), auth.authenticate(Credentials.password("bob", "bob-pw")).roles());
        assertError(ErrorCode.UNAUTHORIZED, Credentials.password("alice", "bob-pw"));
        assertError(ErrorCode.UNAUTHORIZED, Credentials.password("nobody", "x"));
        assertError(ErrorCode.UNAUTHORIZED, Credentials.password("al*", "alice-pw"));
        assertError(ErrorCode.UNAUTHORIZED, Credentials.password("alice", ""));
    }

    @Test
    public void aDirectoryThatIsDownIsUnavailable() {
        server.shutDown(true);
        try {
            auth.authenticate(Credentials.password("alice", "alice-pw"));
            fail("logged in");
        } catch (HalleyException e) {
            assertEquals(ErrorCode.UNAVAILABLE, e.code());
            assertEquals("the realm did not answer", e.getMessage());
        }
        assertEquals(Long.valueOf(1), auth.counters().get("auth.unavailable"));
    }

    @Test
    public void cachedLoginsOutliveABriefOutage() {
        auth.authenticate(Credentials.password("alice", "alice-pw"));
        server.shutDown(true);
        assertEquals("alice", auth.authenticate(Credentials.password("alice", "alice-pw")).name());
        assertError(ErrorCode.UNAVAILABLE, Credentials.password("bob", "bob-pw"));
    }

    @Test
    public void lookupUsesKarafsReadOnlyLdapEngine() {
        Optional<Identity> alice = auth.lookup("alice");
        assertTrue(alice.isPresent());
        assertEquals(Set.of("halley-admin"), alice.get().roles());
        assertEquals(Set.of(), auth.lookup("carol").get().roles());
        assertEquals(Optional.empty(), auth.lookup("nobody"));
        assertEquals(Optional.empty(), auth.lookup("*"));
        assertEquals(Optional.empty(), auth.lookup("alice)(uid=*"));
        server.shutDown(true);
        assertEquals(Optional.empty(), auth.lookup("alice"));
    }
}
