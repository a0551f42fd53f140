package io.halley.rest.internal;

import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.ChannelName;
import io.halley.api.Identity;
import io.halley.api.Permission;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Rules in a list, checked with a simplified form of the real semantics (enough to tell answers apart). */
final class FakeAccessControl implements AccessControl {

    final List<AclRule> rules = new CopyOnWriteArrayList<>();
    final List<Object[]> checks = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public AccessDecision check(Identity who, String pattern, Permission permission) {
        checks.add(new Object[] {who, pattern, permission});
        for (boolean allow : new boolean[] {false, true}) {
            for (AclRule r : rules) {
                if (r.allow() == allow && r.permissions().contains(permission) && applies(r.principal(), who)
                        && (allow ? ChannelName.covers(r.pattern(), pattern) : ChannelName.overlaps(r.pattern(), pattern))) {
                    return new AccessDecision(allow, r, (allow ? "granted by " : "denied by ") + r.id());
                }
            }
        }
        return new AccessDecision(false, null, "no rule grants it");
    }

    private static boolean applies(String principal, Identity who) {
        return switch (principal) {
            case "everyone" -> true;
            case "anonymous" -> who.isAnonymous();
            case "authenticated" -> !who.isAnonymous();
            default -> principal.equals(who.toString()) || principal.startsWith("role:") && who.hasRole(principal.substring(5));
        };
    }

    @Override
    public List<AclRule> rules() {
        return List.copyOf(rules);
    }

    @Override
    public Optional<AclRule> rule(String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    @Override
    public AclRule add(AclRule rule) {
        AclRule stored = rule.withId("r" + next.incrementAndGet());
        rules.add(stored);
        return stored;
    }

    @Override
    public boolean update(AclRule rule) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).id().equals(rule.id())) {
                rules.set(i, rule);
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean remove(String id) {
        return rules.removeIf(r -> r.id().equals(id));
    }

    @Override
    public long revision() {
        return next.get();
    }
}
