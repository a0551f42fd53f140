package io.halley.auth.internal;

import io.halley.api.ApiKeys;
import io.halley.api.Authenticator;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import javax.security.auth.Subject;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginContext;
import javax.security.auth.login.LoginException;

import org.apache.karaf.jaas.boot.ProxyLoginModule;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.jaas.config.JaasRealm;
import org.apache.karaf.jaas.modules.BackingEngineFactory;
import org.apache.karaf.jaas.modules.properties.PropertiesLoginModule;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Halley's {@link Authenticator} and {@link ApiKeys}: passwords through the JAAS realm
 * (and the default properties realm it registers), tokens, API keys.
 */
// immediate: the default realm must be there for other users of the realm name (the broker) before anyone asks this service
@Component(service = {Authenticator.class, ApiKeys.class}, configurationPid = "io.halley.auth", immediate = true)
@Designate(ocd = AuthConfig.class)
public class AuthComponent implements Authenticator, ApiKeys {

    private static final Logger LOG = LoggerFactory.getLogger(AuthComponent.class);

    static final String USERS_FILE = "users.properties";
    static final String API_KEYS_FILE = "halley-apikeys.properties";

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<BackingEngineFactory> backingEngines = List.of();

    /** The JAAS configuration the realm is looked up in: Karaf's, which maps realm names to JaasRealm services. */
    Supplier<Configuration> jaas = Configuration::getConfiguration;

    Clock clock = Clock.systemUTC();

    private final Counters counters = new Counters();

    private volatile String realm;
    private volatile RealmCalls calls;
    private volatile LoginCache cache;
    private volatile TokenVerifier tokens;
    private volatile ApiKeyStore keys;
    private ServiceRegistration<JaasRealm> defaultRealm;

    @Activate
    void activate(BundleContext context, AuthConfig config) {
        String etc = context == null ? null : context.getProperty("karaf.etc");
        realm = config.realm();
        calls = new RealmCalls(config.loginThreads(), config.loginTimeout(), AuthComponent.class.getClassLoader());
        cache = new LoginCache(config.cacheTtl(), config.cacheSize());
        keys = new ApiKeyStore(resolve(config.apiKeysFile(), etc, API_KEYS_FILE), clock);
        keys.current();
        TokenKeys tokenKeys;
        try {
            tokenKeys = TokenKeys.load(config.token_secret(), config.token_secretFile(), config.token_publicKeyFile(),
                    config.token_jwksFile());
        } catch (IllegalArgumentException e) {
            LOG.error("Tokens are refused until the configuration io.halley.auth is fixed: {}", e.getMessage());
            tokenKeys = TokenKeys.NONE;
        }
        tokens = new TokenVerifier(tokenKeys, config.token_issuer(), config.token_audience(), config.token_clockSkew());
        if (config.defaultRealm_enabled() && context != null) {
            Path users = resolve(config.usersFile(), etc, USERS_FILE);
            Map<String, Object> options = new HashMap<>(PropertiesRealm.moduleOptions(users.toString(), config));
            options.put(BundleContext.class.getName(), context);
            options.put(ProxyLoginModule.PROPERTY_MODULE, PropertiesLoginModule.class.getName());
            options.put(ProxyLoginModule.PROPERTY_BUNDLE,
                    Long.toString(FrameworkUtil.getBundle(PropertiesLoginModule.class).getBundleId()));
            PropertiesRealm properties = new PropertiesRealm(realm, options);
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("realm.name", realm);
            props.put("realm.rank", 0);
            defaultRealm = context.registerService(JaasRealm.class, properties, props);
            LOG.info("Registered the {}", properties);
        }
        LOG.info("Authentication ready: realm {}, tokens {}, API keys in {}, cache {}", realm, tokenKeys.describe(),
                keys.file(), cache.enabled() ? config.cacheTtl() + " ms" : "off");
    }

    @Deactivate
    void deactivate() {
        if (defaultRealm != null) {
            try {
                defaultRealm.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
            defaultRealm = null;
        }
        RealmCalls c = calls;
        if (c != null) {
            c.close();
        }
    }

    private static Path resolve(String configured, String etc, String name) {
        if (!configured.isEmpty()) {
            return Path.of(configured);
        }
        return etc == null ? Path.of("etc", name) : Path.of(etc, name);
    }

    @Override
    public Identity authenticate(Credentials credentials) {
        return switch (credentials.kind()) {
            case NONE -> Identity.anonymous();
            case PASSWORD -> password(credentials.user(), credentials.secret());
            case TOKEN -> token(credentials.secret());
            case API_KEY -> apiKey(credentials.secret());
        };
    }

    private Identity password(String user, String password) {
        if (user.isEmpty() || password.isEmpty() || user.length() > Credentials.MAX_LENGTH
                || password.length() > Credentials.MAX_LENGTH) {
            // an empty password could become an anonymous LDAP bind: never sent to a realm
            throw refused("auth.failure.password", "a password login for " + Logs.name(user) + " (empty)");
        }
        long now = clock.millis();
        Identity cached = cache.get(user, password, now);
        if (cached != null) {
            counters.increment("auth.success.password");
            return cached;
        }
        Identity identity;
        try {
            identity = calls.call(() -> login(user, password));
        } catch (RealmCalls.NoAnswer e) {
            throw unavailable("password login for " + Logs.name(user) + ": " + e.getMessage());
        } catch (LoginException e) {
            if (LoginFailures.classify(e) == LoginFailures.Kind.REFUSED) {
                throw refused("auth.failure.password", "a password login for " + Logs.name(user));
            }
            throw unavailable("password login for " + Logs.name(user) + ": " + e.getMessage());
        } catch (Exception e) {
            LOG.warn("The realm {} failed on a login for {}", realm, Logs.name(user), e);
            throw unavailable("password login for " + Logs.name(user) + ": " + e);
        }
        cache.put(user, password, identity, now);
        counters.increment("auth.success.password");
        return identity;
    }

    private Identity login(String user, String password) throws LoginException {
        Subject subject = new Subject();
        LoginContext context = new LoginContext(realm, subject, callbacks -> {
            for (Callback callback : callbacks) {
                if (callback instanceof NameCallback name) {
                    name.setName(user);
                } else if (callback instanceof PasswordCallback pw) {
                    pw.setPassword(password.toCharArray());
                } else {
                    throw new UnsupportedCallbackException(callback);
                }
            }
        }, jaas.get());
        context.login();
        String name = user;
        Set<String> roles = new LinkedHashSet<>();
        for (UserPrincipal principal : subject.getPrincipals(UserPrincipal.class)) {
            name = principal.getName();
        }
        for (RolePrincipal role : subject.getPrincipals(RolePrincipal.class)) {
            roles.add(role.getName());
        }
        return Identity.user(name, roles);
    }

    private Identity token(String token) {
        TokenVerifier verifier = tokens;
        try {
            Identity identity = verifier.verify(token, clock.millis());
            counters.increment("auth.success.token");
            return identity;
        } catch (TokenVerifier.Refused e) {
            throw refused("auth.failure.token." + e.reason, "a token (" + e.reason + ")");
        }
    }

    private Identity apiKey(String key) {
        ApiKeys.KeyInfo info = keys.check(key);
        if (info == null) {
            throw refused("auth.failure.apikey", "an API key" + Optional.ofNullable(ApiKeyStore.nameOf(key))
                    .map(n -> " named " + Logs.name(n)).orElse(""));
        }
        counters.increment("auth.success.apikey");
        return new Identity(info.name(), Identity.Kind.KEY, info.roles(), 0, Set.of());
    }

    private HalleyException refused(String counter, String what) {
        counters.increment(counter);
        LOG.info("Refused {}", what);
        return Credentials.unauthorized();
    }

    private HalleyException unavailable(String what) {
        counters.increment("auth.unavailable");
        LOG.warn("The realm {} did not answer a {}", realm, what);
        return new HalleyException(ErrorCode.UNAVAILABLE, "the realm did not answer");
    }

    @Override
    public Optional<Identity> lookup(String user) {
        if (!RealmLookup.searchable(user)) {
            return Optional.empty();
        }
        try {
            List<BackingEngineFactory> factories = backingEngines;
            return calls.call(() -> RealmLookup.lookup(user, jaas.get(), realm, factories));
        } catch (Exception e) {
            LOG.warn("Cannot look up {} in the realm {}: {}", Logs.name(user), realm, e.toString());
            return Optional.empty();
        }
    }

    @Override
    public String realm() {
        return realm;
    }

    @Override
    public Map<String, Long> counters() {
        return counters.snapshot();
    }

    @Override
    public String create(String name, Set<String> roles) {
        String key = keys.create(name, roles);
        LOG.info("Created the API key {} with roles {}", Logs.name(name), roles);
        return key;
    }

    @Override
    public boolean remove(String name) {
        boolean removed = keys.remove(name);
        if (removed) {
            LOG.info("Removed the API key {}", Logs.name(name));
        }
        return removed;
    }

    @Override
    public List<KeyInfo> list() {
        return keys.list();
    }
}
