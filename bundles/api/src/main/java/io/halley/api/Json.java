package io.halley.api;

/**
 * Quotes text as a JSON string, the one way every part of Halley writes strings into
 * the frames and error bodies it sends.
 *
 * <p>The escaping is exact, so that the same text always gives the same bytes on every
 * transport:
 * <ul>
 * <li>{@code "} becomes {@code \"} and {@code \} becomes {@code \\};</li>
 * <li>line feed, carriage return and tab become {@code \n}, {@code \r} and {@code \t};</li>
 * <li>every other control character (below U+0020) and the line and paragraph
 *     separators U+2028 and U+2029 become {@code \}{@code u} and four lower-case hex
 *     digits, such as {@code \}{@code u0000} and {@code \}{@code u2028} (the separators
 *     are legal JSON but end a line in JavaScript, and every frame is one line);</li>
 * <li>everything else, non-ASCII text included, is written as it is.</li>
 * </ul>
 */
public final class Json {

    private Json() {
    }

    /**
     * Appends {@code s} as a JSON string, with its quotes.
     *
     * @param b where to append
     * @param s the text
     * @return {@code b}
     */
    public static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }

    /**
     * @param s the text
     * @return {@code s} as a JSON string, with its quotes
     */
    public static String quote(String s) {
        return quote(new StringBuilder(s.length() + 2), s).toString();
    }
}
