package io.halley.api;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One channel permission rule: whether a principal may, or may not, do some things on
 * the channels a pattern matches. An explicit deny wins over any grant; no matching
 * grant means no.
 *
 * <p>Principals: {@code anonymous} (no credentials), {@code authenticated} (any
 * proven identity), {@code everyone}, {@code user:NAME} (a realm user or a token's
 * subject), {@code role:NAME}, {@code key:NAME} (an API key).
 *
 * @param id          the rule's id, unique in the store; {@code null} before it is stored
 * @param allow       true for a grant, false for a deny
 * @param principal   whom the rule is about
 * @param pattern     a channel or pattern ({@link ChannelName}: {@code *}, {@code >})
 * @param permissions what it allows or denies, at least one
 */
public record AclRule(String id, boolean allow, String principal, String pattern, Set<Permission> permissions) {

    public AclRule {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(pattern, "pattern");
        if (permissions == null || permissions.isEmpty()) {
            throw new IllegalArgumentException("a rule needs at least one permission");
        }
        permissions = Set.copyOf(EnumSet.copyOf(permissions));
        try {
            ChannelName.requirePattern(pattern);
        } catch (HalleyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        requirePrincipal(principal);
    }

    /**
     * @throws IllegalArgumentException when the text is not a principal this rule language knows
     */
    public static void requirePrincipal(String principal) {
        switch (principal) {
            case "anonymous", "authenticated", "everyone" -> { }
            default -> {
                int colon = principal.indexOf(':');
                String kind = colon < 0 ? "" : principal.substring(0, colon);
                String name = colon < 0 ? "" : principal.substring(colon + 1);
                if (!(kind.equals("user") || kind.equals("role") || kind.equals("key")) || name.isEmpty()
                        || name.length() > 256 || name.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
                    throw new IllegalArgumentException("unknown principal '" + principal
                            + "' (anonymous, authenticated, everyone, user:NAME, role:NAME, key:NAME)");
                }
            }
        }
    }

    /** @return the rule with this id */
    public AclRule withId(String newId) {
        return new AclRule(newId, allow, principal, pattern, permissions);
    }

    /** @return the permissions as text, in declaration order: {@code subscribe,publish} */
    public String permissionsText() {
        return permissions.stream().sorted().map(Permission::code).collect(Collectors.joining(","));
    }

    /** @return the rule as one line: {@code allow anonymous demo.> subscribe,publish} */
    @Override
    public String toString() {
        return (allow ? "allow " : "deny ") + principal + ' ' + pattern + ' ' + permissionsText();
    }

    /**
     * Parses {@code allow|deny PRINCIPAL PATTERN PERMISSIONS} (permissions comma-separated, or {@code all}).
     *
     * @throws IllegalArgumentException with what is wrong
     */
    public static AclRule parse(String id, String line) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length != 4) {
            throw new IllegalArgumentException("a rule is: allow|deny PRINCIPAL PATTERN PERMISSIONS");
        }
        boolean allow = switch (parts[0].toLowerCase(Locale.ROOT)) {
            case "allow" -> true;
            case "deny" -> false;
            default -> throw new IllegalArgumentException("a rule starts with allow or deny, not '" + parts[0] + "'");
        };
        return new AclRule(id, allow, parts[1], parts[2], parsePermissions(parts[3]));
    }

    /** Parses {@code subscribe,publish} or {@code all}. */
    public static Set<Permission> parsePermissions(String text) {
        if (text.equalsIgnoreCase("all")) {
            return EnumSet.allOf(Permission.class);
        }
        EnumSet<Permission> set = EnumSet.noneOf(Permission.class);
        for (String p : text.split(",")) {
            set.add(Permission.parse(p));
        }
        return set;
    }
}
