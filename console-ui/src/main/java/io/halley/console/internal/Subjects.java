package io.halley.console.internal;

import java.util.Set;
import java.util.TreeSet;

import io.halley.api.ApiKeys;
import io.halley.api.Authenticator;
import io.halley.api.Identity;

/**
 * Turns what an operator typed in the permission check into the identity the rules are
 * asked about: {@code anonymous}, {@code key:NAME} (with the key's roles), or a realm
 * user ({@code NAME} or {@code user:NAME}, with the roles the realm gives it).
 * The same reading as the REST API's {@code /acl/check}.
 */
final class Subjects {

    /** The identity, and what the operator should know about how it was found. */
    record Subject(Identity identity, String note) {
    }

    private Subjects() {
    }

    /**
     * @throws IllegalArgumentException when the text names nobody
     */
    static Subject resolve(String text, Authenticator authenticator, ApiKeys apiKeys) {
        String user = text == null ? "" : text.trim();
        if (user.equals("anonymous")) {
            return new Subject(Identity.anonymous(), "no credentials");
        }
        if (user.startsWith("key:")) {
            String name = user.substring(4);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("a user name, key:NAME or anonymous");
            }
            Set<String> roles = new TreeSet<>();
            boolean known = false;
            if (apiKeys != null) {
                for (ApiKeys.KeyInfo k : apiKeys.list()) {
                    if (k.name().equals(name)) {
                        roles.addAll(k.roles());
                        known = true;
                    }
                }
            }
            return new Subject(new Identity(name, Identity.Kind.KEY, roles, 0, Set.of()),
                    known ? "API key with roles " + roles : "no API key has this name: checked without roles");
        }
        String name = user.startsWith("user:") ? user.substring(5) : user;
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a user name, key:NAME or anonymous");
        }
        if (authenticator == null) {
            return new Subject(Identity.user(name, Set.of()), "no realm to ask: checked without roles");
        }
        return authenticator.lookup(name)
                .map(found -> new Subject(Identity.user(name, found.roles()),
                        "realm " + authenticator.realm() + " gives roles " + new TreeSet<>(found.roles())))
                .orElseGet(() -> new Subject(Identity.user(name, Set.of()),
                        "realm " + authenticator.realm() + " does not know this user: checked without roles"));
    }
}
