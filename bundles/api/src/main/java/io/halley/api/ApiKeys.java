package io.halley.api;

import java.util.List;
import java.util.Set;

/**
 * The API keys of HTTP publishers: each has a name (the principal {@code key:NAME} in
 * rules) and roles. Only a hash of each key is stored; the key itself is shown once,
 * when it is created. Registered as an OSGi service by the {@code halley-auth} bundle.
 */
public interface ApiKeys {

    /** A stored key, without its secret. */
    record KeyInfo(String name, Set<String> roles, long createdAt) {
    }

    /**
     * Creates a key, replacing any with the same name.
     *
     * @param name  letters, digits, {@code -_.}, at most 64
     * @param roles its roles
     * @return the key, to hand to the publisher: it is not stored and cannot be shown again
     */
    String create(String name, Set<String> roles);

    /** @return whether a key had that name (and is now gone) */
    boolean remove(String name);

    /** @return the stored keys */
    List<KeyInfo> list();
}
