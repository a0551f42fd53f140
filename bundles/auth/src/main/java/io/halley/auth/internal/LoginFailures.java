package io.halley.auth.internal;

import javax.security.auth.login.AccountException;
import javax.security.auth.login.CredentialException;
import javax.security.auth.login.FailedLoginException;
import javax.security.auth.login.LoginException;

/**
 * Tells a refused login (the realm answered: no) from a realm that did not answer.
 * Public for the LDAP bundle's tests, which check that Karaf's LDAP module's failures
 * land on the right side; not exported.
 */
public final class LoginFailures {

    /** What a failed login means for the client. */
    public enum Kind {
        /** Wrong user or password: {@code unauthorized}. */
        REFUSED,
        /** The realm could not be asked (a directory down, a users file missing): {@code unavailable}. */
        UNAVAILABLE
    }

    /** What the JDK's LoginContext throws when every module said "not mine" (an unknown user for Karaf's LDAP module). */
    private static final String ALL_MODULES_IGNORED = "Login Failure: all modules ignored";

    private LoginFailures() {
    }

    /**
     * Karaf's login modules do not all use the JAAS exception types: its LDAP module throws
     * a plain {@link LoginException} for a wrong password ("Authentication failed: [LDAP:
     * error code 49 ...]") as for a directory it cannot reach ("Can't connect to the LDAP
     * server: ..."). A bind the directory answered carries an LDAP result code; a
     * connection that failed or timed out does not.
     */
    public static Kind classify(LoginException e) {
        if (e instanceof FailedLoginException || e instanceof AccountException || e instanceof CredentialException) {
            return Kind.REFUSED;
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.startsWith(ALL_MODULES_IGNORED)
                || message.startsWith("Authentication failed:") && message.contains("[LDAP: error code ")
                || message.startsWith("Empty passwords not allowed")) {
            return Kind.REFUSED;
        }
        return Kind.UNAVAILABLE;
    }
}
