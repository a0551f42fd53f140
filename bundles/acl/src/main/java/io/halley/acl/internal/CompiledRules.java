package io.halley.acl.internal;

import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.ChannelName;
import io.halley.api.Identity;
import io.halley.api.Permission;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The rules made ready for {@link #check}, which every subscribe and publish calls:
 * principals parsed, patterns split, permissions as bits and every possible answer
 * built beforehand, so that a check walks arrays and allocates nothing. Immutable; the
 * service swaps a new instance in on every change.
 */
final class CompiledRules {

    static final AccessDecision SYSTEM = new AccessDecision(true, null, "system");
    static final AccessDecision BY_TOKEN = new AccessDecision(true, null, "granted by the token");
    static final AccessDecision NO_GRANT = new AccessDecision(false, null, "no rule grants it");

    private static final int TOKEN_PERMISSIONS =
            bit(Permission.SUBSCRIBE) | bit(Permission.HISTORY) | bit(Permission.PRESENCE);

    private enum Who { ANONYMOUS, AUTHENTICATED, EVERYONE, USER, ROLE, KEY }

    private record Compiled(Who who, String name, String[] segments, int permissions, AccessDecision decision) {

        boolean appliesTo(Identity identity, int permission) {
            if ((permissions & permission) == 0) {
                return false;
            }
            return switch (who) {
                case ANONYMOUS -> identity.isAnonymous();
                case AUTHENTICATED -> !identity.isAnonymous();
                case EVERYONE -> true;
                case USER -> (identity.kind() == Identity.Kind.USER || identity.kind() == Identity.Kind.TOKEN)
                        && name.equals(identity.name());
                case ROLE -> identity.hasRole(name);
                case KEY -> identity.kind() == Identity.Kind.KEY && name.equals(identity.name());
            };
        }
    }

    private final Compiled[] denies;
    private final Compiled[] grants;

    CompiledRules(List<AclRule> rules) {
        List<Compiled> d = new ArrayList<>();
        List<Compiled> g = new ArrayList<>();
        for (AclRule rule : rules) {
            (rule.allow() ? g : d).add(compile(rule));
        }
        denies = d.toArray(new Compiled[0]);
        grants = g.toArray(new Compiled[0]);
    }

    /**
     * @param pattern a valid channel or pattern: callers check names before they ask,
     *                and this path does not check them again
     */
    AccessDecision check(Identity who, String pattern, Permission permission) {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(pattern, "pattern");
        if (who.kind() == Identity.Kind.SYSTEM) {
            return SYSTEM;
        }
        int p = bit(permission);
        for (Compiled deny : denies) {
            if (deny.appliesTo(who, p) && overlaps(deny.segments, pattern)) {
                return deny.decision;
            }
        }
        for (Compiled grant : grants) {
            if (grant.appliesTo(who, p) && covers(grant.segments, pattern)) {
                return grant.decision;
            }
        }
        if ((p & TOKEN_PERMISSIONS) != 0 && !who.channels().isEmpty()) {
            for (String granted : who.channels()) {
                if (ChannelName.covers(granted, pattern)) {
                    return BY_TOKEN;
                }
            }
        }
        return NO_GRANT;
    }

    private static Compiled compile(AclRule rule) {
        String principal = rule.principal();
        int colon = principal.indexOf(':');
        Who who;
        String name = null;
        if (colon < 0) {
            who = Who.valueOf(principal.toUpperCase(java.util.Locale.ROOT));
        } else {
            who = Who.valueOf(principal.substring(0, colon).toUpperCase(java.util.Locale.ROOT));
            name = principal.substring(colon + 1);
        }
        int permissions = 0;
        for (Permission p : rule.permissions()) {
            permissions |= bit(p);
        }
        AccessDecision decision = new AccessDecision(rule.allow(), rule,
                (rule.allow() ? "granted by " : "denied by ") + rule.id());
        return new Compiled(who, name, rule.pattern().split("\\."), permissions, decision);
    }

    private static int bit(Permission p) {
        return 1 << p.ordinal();
    }

    // ChannelName.covers and overlaps, with the rule's side split beforehand and the asked
    // side walked in place. Neither needs backtracking: '*' is one segment and '>' is last.

    /** Whether every channel {@code inner} matches is matched by {@code outer}. */
    static boolean covers(String[] outer, String inner) {
        int length = inner.length();
        int pos = 0;
        for (String o : outer) {
            if (o.equals(">")) {
                return pos <= length;
            }
            if (pos > length) {
                return false;
            }
            int end = inner.indexOf('.', pos);
            if (end < 0) {
                end = length;
            }
            boolean innerStar = end - pos == 1 && inner.charAt(pos) == '*';
            if (end - pos == 1 && inner.charAt(pos) == '>') {
                return false;
            }
            if (!o.equals("*") && (innerStar || !same(o, inner, pos, end))) {
                return false;
            }
            pos = end + 1;
        }
        return pos > length;
    }

    /** Whether some channel is matched by both. */
    static boolean overlaps(String[] a, String b) {
        int length = b.length();
        int pos = 0;
        for (String s : a) {
            if (pos > length) {
                return false;
            }
            int end = b.indexOf('.', pos);
            if (end < 0) {
                end = length;
            }
            boolean bGreater = end - pos == 1 && b.charAt(pos) == '>';
            boolean bStar = end - pos == 1 && b.charAt(pos) == '*';
            if (s.equals(">") || bGreater) {
                return true;
            }
            if (!s.equals("*") && !bStar && !same(s, b, pos, end)) {
                return false;
            }
            pos = end + 1;
        }
        return pos > length;
    }

    private static boolean same(String segment, String name, int from, int to) {
        return segment.length() == to - from && name.regionMatches(from, segment, 0, segment.length());
    }
}
