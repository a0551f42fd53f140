package io.halley.api;

import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whom an operator asks about ("may bob subscribe to news.eu?"): the identity that a
 * name stands for, with the roles the realm or the API key store gives it. Used by every
 * "check" an operator has (the shell, the HTTP API, the console), so that they agree.
 *
 * @param identity the identity, with its roles
 * @param known    whether the realm (or the key store) knew the name; false also when
 *                 there was no service to ask: the identity then has only the extra roles
 */
public record Subject(Identity identity, boolean known) {

    /**
     * @param text          {@code anonymous}, {@code key:NAME}, {@code user:NAME} or a user name
     * @param extraRoles    roles to add to what the realm or the key store gives
     * @param authenticator the realm's lookup; may be null
     * @param apiKeys       the API keys; may be null
     * @return the subject
     * @throws IllegalArgumentException when the text names nobody, or gives an anonymous client roles
     * @throws HalleyException          what {@link Authenticator#lookup} throws
     */
    public static Subject resolve(String text, Set<String> extraRoles, Authenticator authenticator, ApiKeys apiKeys) {
        String subject = text == null ? "" : text.trim();
        Set<String> roles = new TreeSet<>(extraRoles);
        if (subject.equals("anonymous")) {
            if (!roles.isEmpty()) {
                throw new IllegalArgumentException("an anonymous client has no roles");
            }
            return new Subject(Identity.anonymous(), true);
        }
        if (subject.startsWith("key:")) {
            String name = requireName(subject.substring(4));
            Optional<ApiKeys.KeyInfo> key = apiKeys == null ? Optional.empty()
                    : apiKeys.list().stream().filter(k -> k.name().equals(name)).findFirst();
            key.ifPresent(k -> roles.addAll(k.roles()));
            return new Subject(new Identity(name, Identity.Kind.KEY, roles, 0, Set.of()), key.isPresent());
        }
        String name = requireName(subject.startsWith("user:") ? subject.substring(5) : subject);
        Optional<Identity> found = authenticator == null ? Optional.empty() : authenticator.lookup(name);
        found.ifPresent(f -> roles.addAll(f.roles()));
        return new Subject(Identity.user(name, roles), found.isPresent());
    }

    private static String requireName(String name) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a user name, key:NAME or anonymous");
        }
        return name;
    }
}
