package io.halley.shell.internal;

import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.Identity;
import io.halley.api.Permission;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Keeps rules in a list and answers every check with {@link #decision}, recording who asked. */
final class FakeAccessControl implements AccessControl {

    final List<AclRule> rules = new ArrayList<>();
    final List<Object[]> checks = new ArrayList<>();
    AccessDecision decision = new AccessDecision(false, null, "no rule grants it");
    RuntimeException failWith;
    private int next = 1;

    @Override
    public AccessDecision check(Identity who, String pattern, Permission permission) {
        checks.add(new Object[] {who, pattern, permission});
        return decision;
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
        if (failWith != null) {
            throw failWith;
        }
        AclRule stored = rule.withId("r" + next++);
        rules.add(stored);
        return stored;
    }

    @Override
    public boolean update(AclRule rule) {
        throw new UnsupportedOperationException("not used by the shell");
    }

    @Override
    public boolean remove(String id) {
        if (failWith != null) {
            throw failWith;
        }
        return rules.removeIf(r -> r.id().equals(id));
    }

    @Override
    public long revision() {
        return next;
    }
}
