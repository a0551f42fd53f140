package io.halley.api;

/**
 * Checks what a client presented and says who it is. Registered as an OSGi service by
 * the {@code halley-auth} bundle: user names and passwords go to the JAAS realm named
 * in its configuration (properties by default, LDAP with {@code halley-auth-ldap}),
 * tokens are verified against the configured keys, API keys against their store.
 *
 * <p>Every refusal is the same {@link ErrorCode#UNAUTHORIZED} "authentication failed",
 * whatever was wrong (unknown user, wrong password, forged or expired token): the
 * reason is counted and logged, without the secret, never sent.
 */
public interface Authenticator {

    /**
     * @param credentials what the client presented; {@link Credentials#none()} gives
     *                    {@link Identity#anonymous()}
     * @return who the client is
     * @throws HalleyException {@link ErrorCode#UNAUTHORIZED}, or {@link ErrorCode#UNAVAILABLE}
     *         when the realm did not answer within its timeout (a directory that is down)
     */
    Identity authenticate(Credentials credentials);

    /**
     * Looks up a realm user and their roles without a password, for operators
     * ({@code halley:acl-check}, the console); read-only.
     *
     * @return the user as an identity of kind {@link Identity.Kind#USER}, or empty when
     *         the realm does not know the name or cannot be searched
     */
    java.util.Optional<Identity> lookup(String user);

    /** @return the name of the JAAS realm that checks passwords */
    String realm();

    /** @return counters by name: successes and failures by kind and reason */
    java.util.Map<String, Long> counters();
}
