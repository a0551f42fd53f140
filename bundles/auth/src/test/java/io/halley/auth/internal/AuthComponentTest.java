package io.halley.auth.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.halley.api.ApiKeys;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import javax.security.auth.Subject;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;
import javax.security.auth.spi.LoginModule;

import org.apache.karaf.jaas.modules.properties.PropertiesBackingEngineFactory;
import org.apache.karaf.jaas.modules.properties.PropertiesLoginModule;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.osgi.util.converter.Converters;

/**
 * The component as DS would run it, minus OSGi: activated with a typed configuration,
 * its realm Karaf's real properties login module, given through a JAAS configuration.
 */
public class AuthComponentTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private AuthComponent auth;
    private Path users;
    private Path keys;
    private Supplier<Configuration> realm;

    /** A clock the test moves. */
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Before
    public void files() throws IOException {
        users = tmp.getRoot().toPath().resolve("users.properties");
        keys = tmp.getRoot().toPath().resolve("halley-apikeys.properties");
        Files.writeString(users, String.join("\n",
                "admin = admin,_g_:admingroup",
                "_g_\\:admingroup = group,admin,manager,viewer,systembus,ssh,halley-admin",
                "alice = wonderland,reader,writer",
                ""));
        realm = () -> jaas(Map.of("halley", entry(PropertiesLoginModule.class, Map.of("users", users.toString()))));
    }

    @After
    public void stop() {
        if (auth != null) {
            auth.deactivate();
        }
    }

    private static AppConfigurationEntry entry(Class<?> module, Map<String, ?> options) {
        return new AppConfigurationEntry(module.getName(), AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                options);
    }

    private static Configuration jaas(Map<String, AppConfigurationEntry> realms) {
        return new Configuration() {
            @Override
            public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
                AppConfigurationEntry e = realms.get(name);
                return e == null ? null : new AppConfigurationEntry[] {e};
            }
        };
    }

    private AuthComponent start(Object... keyValues) {
        Map<String, Object> config = new HashMap<>();
        config.put("apiKeysFile", keys.toString());
        for (int i = 0; i < keyValues.length; i += 2) {
            config.put((String) keyValues[i], keyValues[i + 1]);
        }
        if (auth != null) {
            auth.deactivate();
        }
        auth = new AuthComponent();
        auth.jaas = realm;
        auth.clock = clock;
        auth.backingEngines = List.of(new PropertiesBackingEngineFactory());
        auth.activate(null, Converters.standardConverter().convert(config).to(AuthConfig.class));
        return auth;
    }

    private static void assertRefused(AuthComponent auth, Credentials credentials) {
        assertError(ErrorCode.UNAUTHORIZED, auth, credentials);
    }

    private static void assertError(ErrorCode code, AuthComponent auth, Credentials credentials) {
        try {
            Identity identity = auth.authenticate(credentials);
            fail("accepted " + identity);
        } catch (HalleyException e) {
            assertEquals(code, e.code());
            assertEquals(code == ErrorCode.UNAUTHORIZED ? "authentication failed" : "the realm did not answer",
                    e.getMessage());
        }
    }

    @Test
    public void noCredentialsMeanAnonymous() {
        assertSame(Identity.anonymous(), start().authenticate(Credentials.none()));
    }

    @Test
    public void realmUsersLogInWithTheirRolesThroughGroups() {
        AuthComponent a = start();
        Identity admin = a.authenticate(Credentials.password("admin", "admin"));
        assertEquals(Identity.user("admin", Set.of("admin", "manager", "viewer", "systembus", "ssh", "halley-admin")),
                admin);
        assertTrue(admin.hasRole("halley-admin"));
        assertEquals(Set.of("reader", "writer"), a.authenticate(Credentials.password("alice", "wonderland")).roles());
        assertEquals("halley", a.realm());
        assertEquals(Long.valueOf(2), a.counters().get("auth.success.password"));
    }

    @Test
    public void wrongPasswordsAndUnknownUsersGetTheSameRefusal() {
        AuthComponent a = start();
        assertRefused(a, Credentials.password("admin", "wrong"));
        assertRefused(a, Credentials.password("nobody", "admin"));
        assertRefused(a, Credentials.password("admin", ""));
        assertRefused(a, Credentials.password("_g_:admingroup", "group"));
        assertRefused(a, Credentials.fromAuthorization("Basic " + java.util.Base64.getEncoder().encodeToString(
                "admin:Admin".getBytes(StandardCharsets.UTF_8))));
        assertEquals(Long.valueOf(5), a.counters().get("auth.failure.password"));
        assertEquals(null, a.counters().get("auth.success.password"));
    }

    @Test
    public void aRealmThatCannotBeReadIsUnavailable() throws IOException {
        AuthComponent a = start();
        Files.delete(users);
        assertError(ErrorCode.UNAVAILABLE, a, Credentials.password("admin", "admin"));
        // and a realm that is not configured at all
        AuthComponent b = start("realm", "nosuchrealm");
        assertError(ErrorCode.UNAVAILABLE, b, Credentials.password("admin", "admin"));
        assertEquals(Long.valueOf(1), b.counters().get("auth.unavailable"));
    }

    @Test
    public void successesAreCachedUnderTheExactPassword() throws IOException {
        AuthComponent a = start("cacheTtl", "60000");
        a.authenticate(Credentials.password("alice", "wonderland"));
        // the realm changes the password: the old one still holds from the cache, for the TTL
        Files.writeString(users, Files.readString(users).replace("alice = wonderland", "alice = looking-glass"));
        a.authenticate(Credentials.password("alice", "wonderland"));
        // a wrong password is never answered from the cache
        assertRefused(a, Credentials.password("alice", "wonderland2"));
        // the new password goes to the realm at once, and replaces the user's entry
        assertEquals(Set.of("reader", "writer"),
                a.authenticate(Credentials.password("alice", "looking-glass")).roles());
        assertRefused(a, Credentials.password("alice", "wonderland"));
    }

    @Test
    public void cachedSuccessesExpire() throws IOException {
        AuthComponent a = start("cacheTtl", "60000");
        a.authenticate(Credentials.password("alice", "wonderland"));
        Files.writeString(users, Files.readString(users).replace("alice = wonderland", "alice = looking-glass"));
        now.addAndGet(59_999);
        a.authenticate(Credentials.password("alice", "wonderland"));
        now.addAndGet(1);
        assertRefused(a, Credentials.password("alice", "wonderland"));
    }

    @Test
    public void withoutTheCacheEveryLoginAsksTheRealm() throws IOException {
        AuthComponent a = start("cacheTtl", "0");
        a.authenticate(Credentials.password("alice", "wonderland"));
        Files.writeString(users, Files.readString(users).replace("alice = wonderland", "alice = looking-glass"));
        assertRefused(a, Credentials.password("alice", "wonderland"));
    }

    @Test
    public void theCacheKeepsOnlyDigests() {
        LoginCache cache = new LoginCache(60_000, 2);
        Identity alice = Identity.user("alice", Set.of());
        cache.put("alice", "pw", alice, 0);
        cache.put("bob", "pw", Identity.user("bob", Set.of()), 0);
        cache.put("carol", "pw", Identity.user("carol", Set.of()), 0);
        assertEquals(2, cache.size());
        assertEquals(null, cache.get("alice", "pw", 1)); // the least recently used went
        assertEquals(null, cache.get("bob", "pW", 1));
        assertEquals("bob", cache.get("bob", "pw", 1).name());
        assertFalse(new LoginCache(0, 10).enabled());
        assertFalse(new LoginCache(10, 0).enabled());
    }

    /** A login module that waits for the test to release it: a directory that does not answer. */
    public static final class HangingModule implements LoginModule {
        private CountDownLatch release;

        @Override
        public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> shared, Map<String, ?> options) {
            release = (CountDownLatch) options.get("release");
        }

        @Override
        public boolean login() throws LoginException {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new FailedLoginException("released");
        }

        @Override
        public boolean commit() {
            return false;
        }

        @Override
        public boolean abort() {
            return false;
        }

        @Override
        public boolean logout() {
            return false;
        }
    }

    /** A login module that fails as Karaf's LDAP module does when it cannot reach the directory. */
    public static final class UnreachableModule implements LoginModule {
        private String message;

        @Override
        public void initialize(Subject subject, CallbackHandler handler, Map<String, ?> shared, Map<String, ?> options) {
            message = (String) options.get("message");
        }

        @Override
        public boolean login() throws LoginException {
            throw new LoginException(message);
        }

        @Override
        public boolean commit() {
            return false;
        }

        @Override
        public boolean abort() {
            return false;
        }

        @Override
        public boolean logout() {
            return false;
        }
    }

    @Test
    public void aRealmThatHangsIsUnavailableWithinTheTimeout() {
        CountDownLatch release = new CountDownLatch(1);
        realm = () -> jaas(Map.of("halley", entry(HangingModule.class, Map.of("release", release))));
        AuthComponent a = start("loginTimeout", "200", "loginThreads", "1");
        try {
            long start = System.nanoTime();
            assertError(ErrorCode.UNAVAILABLE, a, Credentials.password("admin", "admin"));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue("took " + took + " ms", took >= 150 && took < 5_000);
            // the timed-out login was interrupted: the next one gets the thread, and times out as well
            assertError(ErrorCode.UNAVAILABLE, a, Credentials.password("admin", "admin"));
            assertEquals(Long.valueOf(2), a.counters().get("auth.unavailable"));
        } finally {
            release.countDown();
        }
    }

    @Test
    public void aDirectoryThatCannotBeReachedIsUnavailable() {
        String[][] cases = {
            {"Can't connect to the LDAP server: Connection refused", "UNAVAILABLE"},
            {"Can't get user alice roles: LDAP response read timed out, timeout used: 2000 ms.", "UNAVAILABLE"},
            {"Authentication failed: 127.0.0.1:389", "UNAVAILABLE"},
            {"Authentication failed: [LDAP: error code 49 - Invalid Credentials]", "UNAUTHORIZED"},
            {"Empty passwords not allowed", "UNAUTHORIZED"},
        };
        for (String[] c : cases) {
            realm = () -> jaas(Map.of("halley", entry(UnreachableModule.class, Map.of("message", c[0]))));
            assertError(ErrorCode.valueOf(c[1]), start(), Credentials.password("alice", "pw"));
        }
    }

    @Test
    public void tokensGiveTokenIdentities() throws IOException {
        String secret = "0123456789abcdef0123456789abcdef";
        AuthComponent a = start("token.secret", secret);
        long exp = now.get() / 1000 + 60;
        String token = Jwts.hs256("{\"alg\":\"HS256\"}", "{\"sub\":\"bob\",\"exp\":" + exp
                + ",\"roles\":\"reader\",\"channels\":[\"news.>\"]}", secret.getBytes(StandardCharsets.UTF_8));
        Identity bob = a.authenticate(Credentials.fromAuthorization("Bearer " + token));
        assertEquals(new Identity("bob", Identity.Kind.TOKEN, Set.of("reader"), exp * 1000, Set.of("news.>")), bob);
        now.addAndGet(91_000);
        assertRefused(a, Credentials.token(token));
        int dot = token.lastIndexOf('.');
        char first = token.charAt(dot + 1);
        assertRefused(a, Credentials.token(token.substring(0, dot + 1) + (first == 'A' ? 'B' : 'A')
                + token.substring(dot + 2)));
        Map<String, Long> counters = a.counters();
        assertEquals(Long.valueOf(1), counters.get("auth.success.token"));
        assertEquals(Long.valueOf(1), counters.get("auth.failure.token.expired"));
        assertEquals(Long.valueOf(1), counters.get("auth.failure.token.signature"));
    }

    @Test
    public void aBadTokenConfigurationRefusesEveryTokenButKeepsPasswords() {
        AuthComponent a = start("token.secret", "too short");
        String token = Jwts.hs256("{\"alg\":\"HS256\"}", "{\"sub\":\"bob\",\"exp\":9999999999}",
                "too short".getBytes(StandardCharsets.UTF_8));
        assertRefused(a, Credentials.token(token));
        assertEquals(Long.valueOf(1), a.counters().get("auth.failure.token.unconfigured"));
        a.authenticate(Credentials.password("alice", "wonderland"));
    }

    @Test
    public void apiKeysRoundTrip() throws IOException {
        AuthComponent a = start();
        String key = a.create("billing-app", Set.of("publisher", "billing"));
        assertTrue(key, key.matches("hk_billing-app_[A-Za-z0-9_-]{43}"));
        Identity id = a.authenticate(Credentials.fromAuthorization("Bearer " + key));
        assertEquals(new Identity("billing-app", Identity.Kind.KEY, Set.of("publisher", "billing"), 0, Set.of()), id);
        assertEquals("key:billing-app", id.toString());

        // only a hash is stored
        String stored = Files.readString(keys);
        assertFalse(stored.contains(key.substring(key.length() - 43)));
        assertTrue(stored.contains("billing-app = sha256:"));

        // a key with one character changed, another name, or no name
        char last = key.charAt(key.length() - 1);
        assertRefused(a, Credentials.apiKey(key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A')));
        assertRefused(a, Credentials.apiKey(key.replace("hk_billing-app_", "hk_other_")));
        assertRefused(a, Credentials.apiKey("hk_" + key.substring(key.length() - 43)));
        assertRefused(a, Credentials.apiKey("not-a-key"));
        assertEquals(Long.valueOf(4), a.counters().get("auth.failure.apikey"));

        List<ApiKeys.KeyInfo> list = a.list();
        assertEquals(1, list.size());
        assertEquals("billing-app", list.get(0).name());
        assertEquals(Set.of("publisher", "billing"), list.get(0).roles());
        assertEquals(now.get(), list.get(0).createdAt());

        // another activation (a restart) reads the file
        AuthComponent b = start();
        assertEquals("billing-app", b.authenticate(Credentials.apiKey(key)).name());

        // a replaced key: the old one stops working
        String replaced = b.create("billing-app", Set.of("publisher"));
        assertNotEquals(key, replaced);
        assertRefused(b, Credentials.apiKey(key));
        assertEquals(Set.of("publisher"), b.authenticate(Credentials.apiKey(replaced)).roles());

        assertTrue(b.remove("billing-app"));
        assertFalse(b.remove("billing-app"));
        assertRefused(b, Credentials.apiKey(replaced));
        assertEquals(List.of(), b.list());
    }

    @Test
    public void theKeyFileIsReReadWhenItChanges() throws IOException {
        AuthComponent a = start();
        String one = a.create("one", Set.of("r"));
        String two = a.create("two", Set.of());
        // another node, or an operator, removes a line
        String text = Files.readString(keys);
        Files.writeString(keys, text.replaceAll("(?m)^one = .*\n", ""));
        assertRefused(a, Credentials.apiKey(one));
        assertEquals("two", a.authenticate(Credentials.apiKey(two)).name());
        Files.delete(keys);
        assertRefused(a, Credentials.apiKey(two));
        assertEquals(List.of(), a.list());
    }

    @Test
    public void badKeyNamesAndRolesAreRefused() {
        AuthComponent a = start();
        for (String name : new String[] {"", "has space", "x".repeat(65), "semi;colon", "new\nline", "é"}) {
            try {
                a.create(name, Set.of());
                fail("created " + name);
            } catch (HalleyException e) {
                assertEquals(ErrorCode.BAD_REQUEST, e.code());
            }
        }
        for (String role : new String[] {"", "a,b", "a b", "a=b"}) {
            try {
                a.create("ok", Set.of(role));
                fail("created with role " + role);
            } catch (HalleyException e) {
                assertEquals(ErrorCode.BAD_REQUEST, e.code());
            }
        }
        assertEquals(List.of(), a.list());
        a.create("a.b_c-d", Set.of("halley-admin"));
    }

    @Test
    public void lookupFindsRealmUsersWithoutAPassword() {
        AuthComponent a = start();
        Optional<Identity> admin = a.lookup("admin");
        assertTrue(admin.isPresent());
        assertTrue(admin.get().hasRole("halley-admin"));
        assertEquals(Identity.Kind.USER, admin.get().kind());
        assertEquals(Set.of("reader", "writer"), a.lookup("alice").get().roles());
        assertEquals(Optional.empty(), a.lookup("nobody"));
        assertEquals(Optional.empty(), a.lookup("a*"));
        assertEquals(Optional.empty(), a.lookup("admin)(uid=*"));
        assertEquals(Optional.empty(), a.lookup(""));
        // a realm without a backing engine cannot be searched
        a.backingEngines = List.of();
        assertEquals(Optional.empty(), a.lookup("admin"));
    }
}
