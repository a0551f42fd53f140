package io.halley.rest.internal;

import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the raw (still percent-encoded) path. The container's decoded path info would
 * turn {@code %2F} into a separator and shift the route; here every segment is decoded
 * on its own.
 */
final class PathSegments {

    private PathSegments() {
    }

    /** @return the raw segments of a path such as {@code /channels/demo.news/messages} */
    static List<String> split(String rawPath) {
        List<String> segments = new ArrayList<>();
        if (rawPath == null || rawPath.isEmpty() || rawPath.equals("/")) {
            return segments;
        }
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        for (String s : p.split("/", -1)) {
            segments.add(s);
        }
        return segments;
    }

    /**
     * Percent-decodes one path segment as UTF-8. A {@code +} stays a plus: it means a
     * space only in query strings.
     *
     * @throws HalleyException {@link ErrorCode#INVALID_CHANNEL} for a malformed escape or bytes
     *         that are not UTF-8 (the only segment decoded is a channel name)
     */
    static String decodeChannel(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw malformed();
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw malformed();
                }
                bytes.write((hi << 4) | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed();
        }
    }

    private static HalleyException malformed() {
        return new HalleyException(ErrorCode.INVALID_CHANNEL, "malformed percent-encoding in the channel name");
    }
}
