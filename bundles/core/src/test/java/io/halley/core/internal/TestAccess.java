package io.halley.core.internal;

import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.Authenticator;
import io.halley.api.ChannelName;
import io.halley.api.Credentials;
import io.halley.api.Identity;
import io.halley.api.Permission;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * What the core's unit tests need of the access control and the authenticator (the real
 * ones live in their bundles and have their own tests): everything is allowed but what
 * a deny entry overlaps; alice logs in with password {@code pw} or a token
 * {@code alice.<expiresAt>.sig}; anything else is refused.
 */
class TestAccess implements AccessControl, Authenticator {

    /** "principal pattern permission": principal is anonymous, user:NAME or everyone. */
    final List<String> denies = new CopyOnWriteArrayList<>();
    private final LongSupplier clock;

    TestAccess(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public AccessDecision check(Identity who, String pattern, Permission permission) {
        for (String d : denies) {
            String[] p = d.split(" ");
            boolean principal = p[0].equals("everyone") || p[0].equals(who.toString());
            if (principal && ChannelName.overlaps(p[1], pattern) && p[2].equals(permission.code())) {
                return new AccessDecision(false, null, "denied");
            }
        }
        return new AccessDecision(true, null, "allowed");
    }

    @Override
    public Identity authenticate(Credentials c) {
        if (c.isNone()) {
            return Identity.anonymous();
        }
        if (c.kind() == Credentials.Kind.PASSWORD && c.user().equals("alice") && c.secret().equals("pw")) {
            return Identity.user("alice", Set.of());
        }
        if (c.kind() == Credentials.Kind.TOKEN) {
            String[] parts = c.secret().split("\\.");
            long exp = Long.parseLong(parts[1]);
            if (exp > clock.getAsLong() && parts[2].equals("sig")) {
                return new Identity(parts[0], Identity.Kind.TOKEN, Set.of(), exp, Set.of());
            }
        }
        throw Credentials.unauthorized();
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

    @Override
    public List<AclRule> rules() {
        return List.of();
    }

    @Override
    public Optional<AclRule> rule(String id) {
        return Optional.empty();
    }

    @Override
    public AclRule add(AclRule rule) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean update(AclRule rule) {
        return false;
    }

    @Override
    public boolean remove(String id) {
        return false;
    }

    @Override
    public long revision() {
        return denies.size();
    }
}
