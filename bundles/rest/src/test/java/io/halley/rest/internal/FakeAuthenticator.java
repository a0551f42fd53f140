package io.halley.rest.internal;

import io.halley.api.Authenticator;
import io.halley.api.Credentials;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Identity;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A realm of three users, all with the password {@code secret}: {@code admin} (role
 * halley-admin), {@code bob} (no role), {@code alice} (role staff); one API key
 * {@code k-pub} named {@code pub}. Anything else is refused as the real one refuses it.
 */
final class FakeAuthenticator implements Authenticator {

    static final String ADMIN = basic("admin", "secret");
    static final String BOB = basic("bob", "secret");
    static final String KEY = "Bearer k-pub";

    final List<Credentials> seen = new CopyOnWriteArrayList<>();
    volatile boolean down;

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public Identity authenticate(Credentials c) {
        seen.add(c);
        if (down) {
            throw new HalleyException(ErrorCode.UNAVAILABLE, "the realm did not answer");
        }
        return switch (c.kind()) {
            case NONE -> Identity.anonymous();
            case PASSWORD -> {
                if (!"secret".equals(c.secret())) {
                    throw Credentials.unauthorized();
                }
                yield lookup(c.user()).orElseThrow(Credentials::unauthorized);
            }
            case API_KEY -> {
                if (!"k-pub".equals(c.secret())) {
                    throw Credentials.unauthorized();
                }
                yield new Identity("pub", Identity.Kind.KEY, Set.of(), 0, Set.of());
            }
            case TOKEN -> throw Credentials.unauthorized();
        };
    }

    @Override
    public Optional<Identity> lookup(String user) {
        return switch (user) {
            case "admin" -> Optional.of(Identity.user("admin", Set.of("halley-admin")));
            case "bob" -> Optional.of(Identity.user("bob", Set.of()));
            case "alice" -> Optional.of(Identity.user("alice", Set.of("staff")));
            default -> Optional.empty();
        };
    }

    @Override
    public String realm() {
        return "test";
    }

    @Override
    public Map<String, Long> counters() {
        return Map.of();
    }
}
