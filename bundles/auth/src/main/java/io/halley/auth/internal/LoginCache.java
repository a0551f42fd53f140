package io.halley.auth.internal;

import io.halley.api.Identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Successful password checks, remembered for a while so that a realm (a directory) is
 * not asked on every request. Keyed by user name, holding a salted SHA-256 of the
 * password, never the password; the salt is random per cache, so the digests are worth
 * nothing outside this process. Only successes are kept: a wrong password always goes
 * to the realm, and a new password replaces the user's entry once it has succeeded.
 */
final class LoginCache {

    private record Entry(byte[] digest, Identity identity, long expires) {
    }

    private final long ttl;
    private final int size;
    private final byte[] salt = new byte[32];
    // guarded by itself; access order, so the least recently used user goes first
    private final LinkedHashMap<String, Entry> entries;

    /**
     * @param ttl  how long an entry lives, in milliseconds; 0 disables the cache
     * @param size the most users kept; 0 disables the cache
     */
    LoginCache(long ttl, int size) {
        this.ttl = Math.max(0, ttl);
        this.size = Math.max(0, size);
        new SecureRandom().nextBytes(salt);
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > LoginCache.this.size;
            }
        };
    }

    boolean enabled() {
        return ttl > 0 && size > 0;
    }

    /** @return the identity remembered for this user and password at {@code now}, or {@code null} */
    Identity get(String user, String password, long now) {
        if (!enabled()) {
            return null;
        }
        byte[] digest = digest(user, password);
        Entry e;
        synchronized (entries) {
            e = entries.get(user);
            if (e != null && now >= e.expires()) {
                entries.remove(user);
                e = null;
            }
        }
        return e != null && MessageDigest.isEqual(digest, e.digest()) ? e.identity() : null;
    }

    void put(String user, String password, Identity identity, long now) {
        if (!enabled()) {
            return;
        }
        Entry e = new Entry(digest(user, password), identity, now + ttl);
        synchronized (entries) {
            entries.put(user, e);
        }
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private byte[] digest(String user, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            md.update(user.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            return md.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
