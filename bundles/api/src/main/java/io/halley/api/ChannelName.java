package io.halley.api;

/**
 * The rules of channel names and subscription patterns.
 *
 * <p>A channel name is one or more <em>segments</em> separated by dots
 * ({@code demo.news}). A segment is 1 to 64 characters among {@code A-Z a-z 0-9 _ -};
 * the whole name is at most {@value #MAX_LENGTH} characters. Names are case-sensitive.
 * The broker topic of a channel has the channel's name.
 *
 * <p>A <em>pattern</em>, used only to subscribe, may also have wildcard segments with
 * the broker's semantics: {@code *} matches exactly one segment, and {@code >}, only as
 * the last segment, matches one or more segments. {@code demo.*} matches
 * {@code demo.news} but not {@code demo.news.eu}; {@code demo.>} matches both.
 *
 * <p>Names starting with the segment {@code ActiveMQ} are reserved for the broker.
 */
public final class ChannelName {

    /** The longest channel name or pattern, in characters. */
    public static final int MAX_LENGTH = 200;

    /** The longest segment, in characters. */
    public static final int MAX_SEGMENT_LENGTH = 64;

    private ChannelName() {
    }

    /**
     * Checks a concrete channel name, as used to publish.
     *
     * @param name the name
     * @return the name, unchanged
     * @throws HalleyException {@link ErrorCode#MISSING_CHANNEL} when empty,
     *         {@link ErrorCode#WILDCARD_NOT_ALLOWED} when it has a wildcard,
     *         {@link ErrorCode#INVALID_CHANNEL} when it breaks another rule
     */
    public static String requireChannel(String name) {
        check(name, false);
        return name;
    }

    /**
     * Checks a subscription pattern: a channel name that may have wildcard segments.
     *
     * @param pattern the pattern
     * @return the pattern, unchanged
     * @throws HalleyException {@link ErrorCode#MISSING_CHANNEL} or
     *         {@link ErrorCode#INVALID_CHANNEL}
     */
    public static String requirePattern(String pattern) {
        check(pattern, true);
        return pattern;
    }

    /** @return whether {@code name} is a valid concrete channel name */
    public static boolean isChannel(String name) {
        try {
            check(name, false);
            return true;
        } catch (HalleyException e) {
            return false;
        }
    }

    /** @return whether a valid pattern has a wildcard segment */
    public static boolean isWildcard(String pattern) {
        for (String segment : pattern.split("\\.", -1)) {
            if (segment.equals("*") || segment.equals(">")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a concrete channel matches a pattern (a pattern without wildcards
     * matches only itself). Both are assumed valid.
     */
    public static boolean matches(String pattern, String channel) {
        // walks both names in place: the hub calls this per message and per wildcard
        // subscription, so it allocates nothing
        int p = 0;
        int c = 0;
        int pl = pattern.length();
        int cl = channel.length();
        while (true) {
            int pe = pattern.indexOf('.', p);
            if (pe < 0) {
                pe = pl;
            }
            int length = pe - p;
            if (length == 1 && pattern.charAt(p) == '>') {
                return c < cl;
            }
            if (c >= cl) {
                return false;
            }
            int ce = channel.indexOf('.', c);
            if (ce < 0) {
                ce = cl;
            }
            boolean star = length == 1 && pattern.charAt(p) == '*';
            if (!star && (length != ce - c || !pattern.regionMatches(p, channel, c, length))) {
                return false;
            }
            if (pe == pl || ce == cl) {
                return pe == pl && ce == cl;
            }
            p = pe + 1;
            c = ce + 1;
        }
    }

    /**
     * Whether every channel that {@code inner} matches is also matched by {@code outer}
     * ({@code demo.>} covers {@code demo.*} and {@code demo.chat}, not {@code >}).
     * Both are assumed valid patterns.
     */
    public static boolean covers(String outer, String inner) {
        return covers(outer.split("\\."), 0, inner.split("\\."), 0);
    }

    /**
     * Whether some channel is matched by both patterns ({@code demo.*} and {@code *.chat}
     * overlap; {@code demo.>} and {@code news.>} do not). Both are assumed valid patterns.
     */
    public static boolean overlaps(String a, String b) {
        return overlaps(a.split("\\."), 0, b.split("\\."), 0);
    }

    private static boolean covers(String[] o, int oi, String[] i, int ii) {
        if (oi == o.length) {
            return ii == i.length;
        }
        if (o[oi].equals(">")) {
            return ii < i.length;
        }
        if (ii == i.length || i[ii].equals(">")) {
            return false;
        }
        if (!o[oi].equals("*") && (i[ii].equals("*") || !o[oi].equals(i[ii]))) {
            return false;
        }
        return covers(o, oi + 1, i, ii + 1);
    }

    private static boolean overlaps(String[] a, int ai, String[] b, int bi) {
        if (ai == a.length || bi == b.length) {
            return ai == a.length && bi == b.length;
        }
        if (a[ai].equals(">") || b[bi].equals(">")) {
            return true;
        }
        if (!a[ai].equals("*") && !b[bi].equals("*") && !a[ai].equals(b[bi])) {
            return false;
        }
        return overlaps(a, ai + 1, b, bi + 1);
    }

    private static void check(String name, boolean pattern) {
        if (name == null || name.isEmpty()) {
            throw new HalleyException(ErrorCode.MISSING_CHANNEL, "a channel name is required");
        }
        if (name.length() > MAX_LENGTH) {
            throw new HalleyException(ErrorCode.INVALID_CHANNEL,
                    "a channel name is at most " + MAX_LENGTH + " characters");
        }
        String[] segments = name.split("\\.", -1);
        for (int i = 0; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty()) {
                throw new HalleyException(ErrorCode.INVALID_CHANNEL,
                        "invalid channel name '" + printable(name) + "': empty segment");
            }
            if (segment.equals("*") || segment.equals(">")) {
                if (!pattern) {
                    throw new HalleyException(ErrorCode.WILDCARD_NOT_ALLOWED,
                            "wildcards are for subscriptions only: '" + printable(name) + "'");
                }
                if (segment.equals(">") && i != segments.length - 1) {
                    throw new HalleyException(ErrorCode.INVALID_CHANNEL,
                            "invalid pattern '" + printable(name) + "': '>' must be the last segment");
                }
                continue;
            }
            if (segment.length() > MAX_SEGMENT_LENGTH) {
                throw new HalleyException(ErrorCode.INVALID_CHANNEL,
                        "invalid channel name: a segment is at most " + MAX_SEGMENT_LENGTH + " characters");
            }
            for (int k = 0; k < segment.length(); k++) {
                char ch = segment.charAt(k);
                boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')
                        || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
                if (!ok) {
                    throw new HalleyException(ErrorCode.INVALID_CHANNEL,
                            "invalid channel name '" + printable(name)
                                    + "': segments use only letters, digits, '_' and '-'");
                }
            }
        }
        if (segments[0].equals("ActiveMQ")) {
            throw new HalleyException(ErrorCode.INVALID_CHANNEL,
                    "invalid channel name '" + printable(name) + "': 'ActiveMQ' is reserved for the broker");
        }
    }

    /** Keeps an error message readable and free of control characters. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 80));
        for (int i = 0; i < s.length() && i < 80; i++) {
            char ch = s.charAt(i);
            b.append(ch < 0x20 || ch == 0x7f ? '?' : ch);
        }
        if (s.length() > 80) {
            b.append("...");
        }
        return b.toString();
    }
}
