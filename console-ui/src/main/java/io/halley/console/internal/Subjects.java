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
 * The reading is the api's {@link io.halley.api.Subject}, as in the shell and the REST API.
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
        io.halley.api.Subject found = io.halley.api.Subject.resolve(text, Set.of(), authenticator, apiKeys);
        Identity who = found.identity();
        String note;
        if (who.isAnonymous()) {
            note = "no credentials";
        } else if (who.kind() == Identity.Kind.KEY) {
            note = found.known() ? "API key with roles " + new TreeSet<>(who.roles())
                    : "no API key has this name: checked without roles";
        } else if (authenticator == null) {
            note = "no realm to ask: checked without roles";
        } else {
            note = "realm " + authenticator.realm() + (found.known() ? " gives roles " + new TreeSet<>(who.roles())
                    : " does not know this user: checked without roles");
        }
        return new Subject(who, note);
    }
}
