package io.halley.transport.websocket.internal;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.halley.api.ErrorCode;

import static io.halley.api.Json.quote;

/** The few frames this transport writes itself; the hub writes all the others. */
final class Json {

    // a close reason is a server-made code such as "slow_consumer"
    private static final Pattern STRING_FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*\"([^\"\\\\]*)\"");
    // RFC 6455: a close reason is at most 123 bytes of UTF-8
    private static final int MAX_REASON_BYTES = 123;

    private Json() {
    }

    static String connected(String session, boolean resumed, long missed, long heartbeat) {
        return "{\"type\":\"connected\",\"session\":" + quote(session) + ",\"resumed\":" + resumed
                + ",\"missed\":" + missed + ",\"heartbeat\":" + heartbeat + "}";
    }

    static String error(ErrorCode code, String message) {
        return "{\"type\":\"error\",\"code\":" + quote(code.code()) + ",\"message\":"
                + quote(message == null ? "" : message) + "}";
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
}
