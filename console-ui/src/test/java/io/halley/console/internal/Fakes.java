package io.halley.console.internal;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.halley.api.Authenticator;
import io.halley.api.Credentials;
import io.halley.api.Identity;

/** A realm of a few users, answering as the real authenticator does. */
final class Fakes {

    private Fakes() {
    }

    /** users: name → password and roles ("pw,role1,role2"); "down" as a password makes the realm time out. */
    static Authenticator realm(Map<String, String> users) {
        return (Authenticator) Proxy.newProxyInstance(Fakes.class.getClassLoader(), new Class<?>[] {Authenticator.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "authenticate" -> {
                        Credentials c = (Credentials) args[0];
                        String entry = users.get(c.user());
                        if (entry != null && entry.startsWith("down,")) {
                            throw new io.halley.api.HalleyException(io.halley.api.ErrorCode.UNAVAILABLE, "realm timed out");
                        }
                        if (entry == null || !entry.split(",")[0].equals(c.secret())) {
                            throw Credentials.unauthorized();
                        }
                        yield Identity.user(c.user(), roles(entry));
                    }
                    case "lookup" -> {
                        String entry = users.get((String) args[0]);
                        yield entry == null ? Optional.empty() : Optional.of(Identity.user((String) args[0], roles(entry)));
                    }
                    case "realm" -> "test";
                    case "counters" -> Map.of();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static Set<String> roles(String entry) {
        String[] parts = entry.split(",");
        return Set.of(java.util.Arrays.copyOfRange(parts, 1, parts.length));
    }
}
