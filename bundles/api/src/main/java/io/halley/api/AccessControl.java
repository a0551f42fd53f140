package io.halley.api;

import java.util.List;
import java.util.Optional;

/**
 * Channel permissions: the rules, kept durably, and the checks every way in makes.
 * Registered as an OSGi service by the {@code halley-acl} bundle.
 *
 * <p>A check on a pattern (a subscription to {@code news.>}) asks about every channel
 * the pattern can match: it is allowed when a grant's pattern covers the whole of it
 * and no deny's pattern overlaps it. A check on a concrete channel is the special case.
 *
 * <p>After every change of the rules (through this service, or an operator editing the
 * file) the service calls every {@link AccessControlListener} registered in the OSGi
 * service registry, so that live subscriptions are checked again.
 */
public interface AccessControl {

    /**
     * @param who        the identity
     * @param pattern    a channel or pattern
     * @param permission what it wants to do
     * @return the decision and the rule that made it
     */
    AccessDecision check(Identity who, String pattern, Permission permission);

    /** @return whether {@link #check} allows it */
    default boolean isAllowed(Identity who, String pattern, Permission permission) {
        return check(who, pattern, permission).allowed();
    }

    /** @return the rules, in the order of the store */
    List<AclRule> rules();

    /** @return the rule with this id */
    Optional<AclRule> rule(String id);

    /**
     * Stores a new rule, at once and durably.
     *
     * @param rule the rule; its id is ignored, a new one is given
     * @return the stored rule, with its id
     */
    AclRule add(AclRule rule);

    /**
     * Replaces the rule with the same id.
     *
     * @return whether a rule had that id
     */
    boolean update(AclRule rule);

    /** @return whether a rule had that id (and is now gone) */
    boolean remove(String id);

    /** @return a number that changes whenever the rules change */
    long revision();
}
