package io.halley.broker.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.Authenticator;
import io.halley.api.ChannelName;
import io.halley.api.Credentials;
import io.halley.api.Identity;
import io.halley.api.Permission;

/** Small stand-ins for halley-auth and halley-acl, enough to drive the broker's checks. */
final class TestSecurity {

    /** A token the fake authenticator knows: three dot-separated parts, as a JWT has. */
    static final String CAROL_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYXJvbCJ9.c2lnbmF0dXJl";

    private TestSecurity() {
    }

    /** Users alice/wonderland and bob/builder, and carol by {@link #CAROL_TOKEN}; counts what it was asked. */
    static final class FakeAuthenticator implements Authenticator {
        final List<Credentials> seen = new CopyOnWriteArrayList<>();

        @Override
        public Identity authenticate(Credentials credentials) {
            seen.add(credentials);
            switch (credentials.kind()) {
                case NONE:
                    return Identity.anonymous();
                case PASSWORD:
                    if (credentials.user().equals("alice") && credentials.secret().equals("wonderland")) {
                        return Identity.user("alice", Set.of("team"));
                    }
                    if (credentials.user().equals("bob") && credentials.secret().equals("builder")) {
                        return Identity.user("bob", Set.of());
                    }
                    throw Credentials.unauthorized();
                case TOKEN:
                    if (credentials.secret().equals(CAROL_TOKEN)) {
                        return new Identity("carol", Identity.Kind.TOKEN, Set.of(), 0, Set.of());
                    }
                    throw Credentials.unauthorized();
                default:
                    throw Credentials.unauthorized();
            }
        }

        @Override
        public Optional<Identity> lookup(String user) {
            return Optional.empty();
        }

        @Override
        public String realm() {
            return "test";
        }

        @Override
        public Map<String, Long> counters() {
            return Map.of();
        }
    }

    /**
     * Grants only, by principal ({@code anonymous}, {@code user:NAME}, {@code role:NAME}) and pattern;
     * a pattern is allowed when one grant covers it. Each change bumps the revision.
     */
    static final class FakeAccessControl implements AccessControl {
        private final List<AclRule> rules = new CopyOnWriteArrayList<>();
        private final AtomicLong revision = new AtomicLong();
        final Map<String, AtomicLong> checks = new ConcurrentHashMap<>();

        FakeAccessControl grant(String principal, String pattern, Permission permission) {
            add(new AclRule(null, true, principal, pattern, Set.of(permission)));
            return this;
        }

        @Override
        public AccessDecision check(Identity who, String pattern, Permission permission) {
            checks.computeIfAbsent(pattern + " " + permission, k -> new AtomicLong()).incrementAndGet();
            for (AclRule rule : rules) {
                if (rule.allow() && rule.permissions().contains(permission) && applies(rule.principal(), who)
                        && ChannelName.covers(rule.pattern(), pattern)) {
                    return new AccessDecision(true, rule, "granted by " + rule.id());
                }
            }
            return new AccessDecision(false, null, "no grant");
        }

        private static boolean applies(String principal, Identity who) {
            if (principal.equals("everyone")) {
                return true;
            }
            if (principal.equals("anonymous")) {
                return who.isAnonymous();
            }
            if (principal.startsWith("role:")) {
                return who.hasRole(principal.substring(5));
            }
            return principal.equals(who.toString());
        }

        @Override
        public List<AclRule> rules() {
            return new ArrayList<>(rules);
        }

        @Override
        public Optional<AclRule> rule(String id) {
            return rules.stream().filter(r -> r.id().equals(id)).findFirst();
        }

        @Override
        public AclRule add(AclRule rule) {
            AclRule stored = new AclRule("r" + (rules.size() + 1), rule.allow(), rule.principal(), rule.pattern(),
                    rule.permissions());
            rules.add(stored);
            revision.incrementAndGet();
            return stored;
        }

        @Override
        public boolean update(AclRule rule) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean remove(String id) {
            boolean removed = rules.removeIf(r -> r.id().equals(id));
            revision.incrementAndGet();
            return removed;
        }

        /** Removes every grant of this principal on this pattern. */
        void revoke(String principal, String pattern) {
            rules.removeIf(r -> r.principal().equals(principal) && r.pattern().equals(pattern));
            revision.incrementAndGet();
        }

        @Override
        public long revision() {
            return revision.get();
        }
    }
}
