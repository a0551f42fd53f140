package io.halley.transport.websocket.internal;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.halley.api.CloseReason;
import io.halley.api.ErrorCode;

/** The few frames this transport writes itself; the hub writes all the others. */
final class Json {

    // a close reason is a server-made code such as "slow_consumer"
    private static final Pattern STRING_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"\\\\]*)\"");
    // RFC 6455: a close reason is at most 123 bytes of UTF-8
    private static final int MAX_REASON_BYTES = 123;

    private Json() {
    }

    static String connected(String session, boolean resumed, long missed, long heartbeat) {
        return "{\"type\":\"connected\",\"session\":" + string(session) + ",\"resumed\":" + resumed
                + ",\"missed\":" + missed + ",\"heartbeat\":" + heartbeat + "}";
    }

    static String error(ErrorCode code, String message) {
        return "{\"type\":\"error\",\"code\":" + string(code.code()) + ",\"message\":"
                + string(message == null ? "" : message) + "}";
    }

    static String close(CloseReason reason) {
        return "{\"type\":\"close\",\"reason\":" + string(reason.code()) + ",\"reconnect\":" + reason.reconnect() + "}";
    }

    /** @return the value of a plain string field of a server frame, or null */
    static String stringField(String json, String name) {
        Matcher m = STRING_FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        return null;
    }

    static String reasonPhrase(String reason) {
        String r = reason;
        while (r.getBytes(StandardCharsets.UTF_8).length > MAX_REASON_BYTES) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // U+2028/9 are legal JSON but break a JavaScript line; frames are one line
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
