package io.halley.bench;

import java.time.Instant;

/** The benchmark's message body, and the little parsing a client needs to find it in Halley's frames. */
final class Wire {

    /** The body every publisher sends: step, channel index, per-channel sequence, publish time (epoch µs), padding. */
    static final int BODY_BYTES = 50;

    private Wire() {
    }

    /** Wall-clock time in microseconds since the epoch: the same clock in every process of this machine. */
    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    static String body(int step, int channel, long seq, long micros) {
        String head = "{\"s\":" + step + ",\"c\":" + channel + ",\"n\":" + seq + ",\"t\":" + micros + ",\"p\":\"";
        int pad = Math.max(0, BODY_BYTES - head.length() - 2);
        return head + "x".repeat(pad) + "\"}";
    }

    interface Sink {
        void message(int step, int channel, long seq, long micros);
    }

    private static final String MARK = "\"data\":{\"s\":";
    /** The body itself, as a STOMP MESSAGE frame carries it. */
    static final String BODY_MARK = "{\"s\":";

    /** Finds every benchmark body in {@code text} (one frame, an SSE line, or a long-poll answer); returns how many. */
    static int parse(CharSequence text, Sink sink) {
        return parse(text, sink, MARK);
    }

    /** As {@link #parse(CharSequence, Sink)}, for bodies that follow {@code mark}. */
    static int parse(CharSequence text, Sink sink, String mark) {
        String s = text.toString();
        int found = 0;
        int i = s.indexOf(mark);
        while (i >= 0) {
            int p = i + mark.length();
            long step = number(s, p);
            int c = s.indexOf("\"c\":", p);
            int n = s.indexOf("\"n\":", p);
            int t = s.indexOf("\"t\":", p);
            if (c < 0 || n < 0 || t < 0) {
                break;
            }
            sink.message((int) step, (int) number(s, c + 4), number(s, n + 4), number(s, t + 4));
            found++;
            i = s.indexOf(mark, t);
        }
        return found;
    }

    /** The decimal number at {@code from} (no sign). */
    static long number(String s, int from) {
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                break;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    /** The string value of a JSON field, e.g. {@code "cursor":"abc:7"}, or null. */
    static String field(String s, String name) {
        String key = "\"" + name + "\":\"";
        int i = s.indexOf(key);
        if (i < 0) {
            return null;
        }
        int start = i + key.length();
        int end = s.indexOf('"', start);
        return end < 0 ? null : s.substring(start, end);
    }
}
