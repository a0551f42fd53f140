package io.halley.api;

import java.util.Locale;

/** What a channel permission allows. */
public enum Permission {
    /** Receive a channel's messages (subscribe to it or to a pattern covering it). */
    SUBSCRIBE,
    /** Publish to a channel. */
    PUBLISH,
    /** See who is subscribed to a channel. */
    PRESENCE,
    /** Recover a channel's past messages from its history. */
    HISTORY;

    /** @return the name used in rules, commands and JSON: {@code subscribe}, ... */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param code a permission's {@link #code()}, any case
     * @return the permission
     * @throws IllegalArgumentException when it names none
     */
    public static Permission parse(String code) {
        for (Permission p : values()) {
            if (p.code().equalsIgnoreCase(code.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown permission '" + code + "' (subscribe, publish, presence, history)");
    }
}
