package io.halley.api;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * What a client presented to prove who it is, before it was checked: nothing, a user
 * name and password for the realm, a token signed by the application's server, or an
 * API key. {@link #toString()} never shows the secret.
 *
 * @param kind   the kind of credentials
 * @param user   the user name ({@link Kind#PASSWORD} only)
 * @param secret the password, token or key; {@code null} for {@link Kind#NONE}
 */
public record Credentials(Kind kind, String user, String secret) {

    /** The kinds of credentials. */
    public enum Kind { NONE, PASSWORD, TOKEN, API_KEY }

    /** The longest secret or user name accepted, in characters; longer is refused before any parsing. */
    public static final int MAX_LENGTH = 8192;

    private static final Credentials NONE = new Credentials(Kind.NONE, null, null);

    public Credentials {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.NONE) != (secret == null) || (kind == Kind.PASSWORD) == (user == null)) {
            throw new IllegalArgumentException("credentials of kind " + kind + " are incomplete");
        }
    }

    /** @return no credentials: the client is anonymous */
    public static Credentials none() {
        return NONE;
    }

    /** @return a realm user name and password */
    public static Credentials password(String user, String password) {
        return new Credentials(Kind.PASSWORD, Objects.requireNonNull(user), Objects.requireNonNull(password));
    }

    /** @return a token (a JWT) */
    public static Credentials token(String token) {
        return new Credentials(Kind.TOKEN, null, Objects.requireNonNull(token));
    }

    /** @return an API key */
    public static Credentials apiKey(String key) {
        return new Credentials(Kind.API_KEY, null, Objects.requireNonNull(key));
    }

    /**
     * Reads an HTTP {@code Authorization} header: {@code Basic} (realm user and
     * password), or {@code Bearer} with a token (three dot-separated parts) or an API key.
     *
     * @param header the header's value; {@code null} or empty means no credentials
     * @return the credentials
     * @throws HalleyException {@link ErrorCode#UNAUTHORIZED} for a scheme it does not
     *         know or a malformed value
     */
    public static Credentials fromAuthorization(String header) {
        if (header == null || header.isBlank()) {
            return NONE;
        }
        if (header.length() > MAX_LENGTH) {
            throw unauthorized();
        }
        int space = header.indexOf(' ');
        String scheme = space < 0 ? header : header.substring(0, space);
        String value = space < 0 ? "" : header.substring(space + 1).trim();
        if (value.isEmpty()) {
            throw unauthorized();
        }
        if (scheme.equalsIgnoreCase("Basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw unauthorized();
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                throw unauthorized();
            }
            return password(decoded.substring(0, colon), decoded.substring(colon + 1));
        }
        if (scheme.equalsIgnoreCase("Bearer")) {
            return bearer(value);
        }
        throw unauthorized();
    }

    /**
     * @param value a bearer value: a token when it has the three dot-separated parts of
     *              a JWT, an API key otherwise; {@code null} or empty means none
     * @return the credentials
     */
    public static Credentials bearer(String value) {
        if (value == null || value.isEmpty()) {
            return NONE;
        }
        if (value.length() > MAX_LENGTH) {
            throw unauthorized();
        }
        int first = value.indexOf('.');
        boolean jwt = first > 0 && value.indexOf('.', first + 1) > first;
        return jwt ? token(value) : apiKey(value);
    }

    /** @return whether no credentials were presented */
    public boolean isNone() {
        return kind == Kind.NONE;
    }

    /** The one refusal every authentication failure gets: it never says which half was wrong. */
    public static HalleyException unauthorized() {
        return new HalleyException(ErrorCode.UNAUTHORIZED, "authentication failed");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NONE -> "none";
            case PASSWORD -> "password for " + user;
            case TOKEN -> "token";
            case API_KEY -> "api key";
        };
    }
}
