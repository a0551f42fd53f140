package io.halley.auth.internal;

/** What may go into a log line about a client. */
final class Logs {

    private static final int MAX = 64;

    private Logs() {
    }

    /**
     * @return a user or key name fit for a log line: at most 64 characters, control and
     *         non-ASCII characters escaped, so that a name cannot forge log lines
     */
    static String name(String name) {
        if (name == null) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(name.length(), MAX) + 8).append('\'');
        for (int i = 0; i < name.length() && i < MAX; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (name.length() > MAX) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
