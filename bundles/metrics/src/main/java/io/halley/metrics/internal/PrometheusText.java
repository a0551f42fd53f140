package io.halley.metrics.internal;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): for each metric family a
 * {@code # HELP} and a {@code # TYPE} line, then its samples, label values escaped.
 */
final class PrometheusText {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final StringBuilder out = new StringBuilder(4096);
    private final Set<String> families = new HashSet<>();
    private String current;

    /**
     * Starts a family.
     *
     * @param type {@code counter} or {@code gauge}
     * @return false (and the family's samples are dropped) when a family of that name was written already
     */
    boolean family(String name, String type, String help) {
        requireName(name);
        if (!families.add(name)) {
            current = null;
            return false;
        }
        current = name;
        out.append("# HELP ").append(name).append(' ').append(escapeHelp(help)).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        return true;
    }

    /** A sample of the current family, without labels. */
    void sample(double value) {
        sample(Map.of(), value);
    }

    /** A sample of the current family. */
    void sample(Map<String, String> labels, double value) {
        if (current == null) {
            return;
        }
        out.append(current);
        if (!labels.isEmpty()) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, String> l : new java.util.TreeMap<>(labels).entrySet()) {
                requireLabel(l.getKey());
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append(l.getKey()).append("=\"").append(escapeLabel(l.getValue())).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    /** A one-sample family. */
    void single(String name, String type, String help, double value) {
        if (family(name, type, help)) {
            sample(value);
        }
    }

    @Override
    public String toString() {
        return out.toString();
    }

    /**
     * Makes a metric name out of Halley's dotted counter names:
     * {@code messages.received} → {@code messages_received}.
     */
    static String sanitize(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
            b.append(ok ? Character.toLowerCase(c) : '_');
        }
        return b.toString();
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%s", v);
    }

    static String escapeLabel(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String escapeHelp(String help) {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }

    private static void requireName(String name) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("not a metric name: " + name);
        }
    }

    private static void requireLabel(String name) {
        if (!name.matches("[a-zA-Z_][a-zA-Z0-9_]*") || name.startsWith("__")) {
            throw new IllegalArgumentException("not a label name: " + name);
        }
    }
}
