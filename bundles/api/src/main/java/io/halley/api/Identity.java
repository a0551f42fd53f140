package io.halley.api;

import java.util.Objects;
import java.util.Set;

/**
 * Who a client is, once its credentials were checked: the subject of every
 * {@linkplain AccessControl permission check}. Immutable; never carries a secret.
 *
 * @param name      the user name (a realm user, a token's {@code sub}, an API key's
 *                  name, a system part's name); {@code null} only for {@link Kind#ANONYMOUS}
 * @param kind      how the identity was proven
 * @param roles     the roles (realm groups, a token's {@code roles} claim, an API key's roles)
 * @param expiresAt when the proof ends, in milliseconds since the epoch (a token's
 *                  {@code exp}); 0 when it does not
 * @param channels  channel patterns a token grants reading on (its {@code channels}
 *                  claim): subscribe, history and presence, still subject to deny rules; empty otherwise
 */
public record Identity(String name, Kind kind, Set<String> roles, long expiresAt, Set<String> channels) {

    /** How an identity was proven. */
    public enum Kind {
        /** No credentials at all. */
        ANONYMOUS,
        /** A user name and password checked by the JAAS realm. */
        USER,
        /** A token signed by the application's server. */
        TOKEN,
        /** An API key of an HTTP publisher. */
        KEY,
        /** A part of Halley itself (the shell, the hub's own broker connection): never refused. */
        SYSTEM
    }

    private static final Identity ANONYMOUS = new Identity(null, Kind.ANONYMOUS, Set.of(), 0, Set.of());

    public Identity {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.ANONYMOUS ? name != null : name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an anonymous identity has no name, any other has one");
        }
        roles = Set.copyOf(roles);
        channels = Set.copyOf(channels);
    }

    /** @return the identity of a client that presented no credentials */
    public static Identity anonymous() {
        return ANONYMOUS;
    }

    /** @return a realm user with these roles */
    public static Identity user(String name, Set<String> roles) {
        return new Identity(name, Kind.USER, roles, 0, Set.of());
    }

    /** @return a part of Halley acting on its own behalf (the shell, the console's operator actions) */
    public static Identity system(String name) {
        return new Identity(name, Kind.SYSTEM, Set.of(), 0, Set.of());
    }

    /** @return whether no credentials were presented */
    public boolean isAnonymous() {
        return kind == Kind.ANONYMOUS;
    }

    /** @return whether this identity has the role */
    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** @return whether the proof has ended at {@code now} (milliseconds since the epoch) */
    public boolean isExpired(long now) {
        return expiresAt != 0 && now >= expiresAt;
    }

    /**
     * @return whether {@code other} is the same subject (same kind of proof aside from
     *         token/user, same name): a session opened by one subject can be resumed only by it
     */
    public boolean sameSubject(Identity other) {
        if (isAnonymous() || other.isAnonymous()) {
            return isAnonymous() && other.isAnonymous();
        }
        boolean person = kind == Kind.USER || kind == Kind.TOKEN;
        boolean otherPerson = other.kind == Kind.USER || other.kind == Kind.TOKEN;
        return (person ? otherPerson : kind == other.kind) && name.equals(other.name);
    }

    /** @return the principal text used in logs and rules: {@code anonymous}, {@code user:NAME}, {@code key:NAME}, {@code system:NAME} */
    @Override
    public String toString() {
        return switch (kind) {
            case ANONYMOUS -> "anonymous";
            case USER, TOKEN -> "user:" + name;
            case KEY -> "key:" + name;
            case SYSTEM -> "system:" + name;
        };
    }
}
