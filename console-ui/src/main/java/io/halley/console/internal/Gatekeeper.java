package io.halley.console.internal;

import io.halley.api.Authenticator;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;

/** Decides who may log in to the console: a realm user with the admin role, nobody else. */
final class Gatekeeper {

    /** How a login went. */
    record Outcome(Identity identity, String refusal) {
        boolean admitted() {
            return identity != null;
        }
    }

    static final String FAILED = "authentication failed";
    static final String UNAVAILABLE = "the realm did not answer: try again later";
    static final String NO_REALM = "nothing can check passwords now (feature halley-auth is not running)";

    private Gatekeeper() {
    }

    /**
     * @param authenticator the realm's authenticator, or null when none runs
     * @param user          what was typed as the user name
     * @param password      what was typed as the password
     * @param adminRole     the role the console needs
     */
    static Outcome login(Authenticator authenticator, String user, String password, String adminRole) {
        if (authenticator == null) {
            return new Outcome(null, NO_REALM);
        }
        if (user == null || user.isBlank() || password == null || password.isEmpty()
                || user.length() > Credentials.MAX_LENGTH || password.length() > Credentials.MAX_LENGTH) {
            return new Outcome(null, FAILED);
        }
        Identity who;
        try {
            who = authenticator.authenticate(Credentials.password(user.trim(), password));
        } catch (HalleyException e) {
            return new Outcome(null, e.code() == ErrorCode.UNAVAILABLE ? UNAVAILABLE : FAILED);
        }
        if (who.kind() != Identity.Kind.USER) {
            return new Outcome(null, FAILED);
        }
        if (!who.hasRole(adminRole)) {
            return new Outcome(null, "you need the role " + adminRole);
        }
        return new Outcome(who, null);
    }
}
