package io.halley.broker.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The hub's own login at the embedded broker: made at random for every broker start,
 * set on the in-VM connection factory Halley registers, and kept in memory only. The
 * broker takes it on its in-VM connector alone.
 */
final class InternalCredential {

    /** The user name; a realm user of that name would never log in by it over the network either. */
    static final String USER = "halley-internal";

    private final String password;

    private InternalCredential(String password) {
        this.password = password;
    }

    static InternalCredential random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new InternalCredential(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    String user() {
        return USER;
    }

    String password() {
        return password;
    }

    /** @return whether a client presented this credential; compares in constant time */
    boolean matches(String user, String presented) {
        return USER.equals(user) && presented != null
                && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                        password.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "internal credential";
    }
}
