package io.halley.transport.streaming.internal;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import javax.servlet.http.HttpServletRequest;

import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;

/**
 * Reads the client frames of a {@code POST}, bounded before they reach the hub.
 * (The SSE and long-polling transports carry the same reader: transports do not
 * depend on each other.)
 */
final class ClientFrames {

    private ClientFrames() {
    }

    /**
     * @param maxChars the hub's {@code maxClientFrameSize()}
     * @return the body as text, at most {@code maxChars} characters
     * @throws HalleyException {@code unsupported_media_type}, {@code too_large} or {@code invalid_text}
     */
    static String read(HttpServletRequest req, int maxChars) throws IOException {
        String type = req.getContentType();
        if (type != null && !isJsonUtf8(type)) {
            throw new HalleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                    "client frames are application/json in UTF-8");
        }
        // a UTF-8 character takes at most 3 bytes per UTF-16 char: a longer body cannot fit
        if (req.getContentLengthLong() > 3L * maxChars) {
            throw tooLarge(maxChars);
        }
        Reader in = new InputStreamReader(req.getInputStream(), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
        // one char more than allowed tells "too large" apart from "exactly the maximum"
        int cap = maxChars < Integer.MAX_VALUE ? maxChars + 1 : maxChars;
        char[] buf = new char[Math.min(cap, 8192)];
        StringBuilder body = new StringBuilder();
        try {
            int n;
            while ((n = in.read(buf, 0, Math.min(buf.length, cap - body.length()))) > 0) {
                body.append(buf, 0, n);
                if (body.length() > maxChars) {
                    throw tooLarge(maxChars);
                }
            }
        } catch (CharacterCodingException e) {
            throw new HalleyException(ErrorCode.INVALID_TEXT, "the body is not UTF-8");
        }
        return body.toString();
    }

    private static boolean isJsonUtf8(String contentType) {
        String[] parts = contentType.split(";");
        if (!"application/json".equals(parts[0].trim().toLowerCase(Locale.ROOT))) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim().toLowerCase(Locale.ROOT);
            if (param.startsWith("charset=")
                    && !"utf-8".equals(param.substring("charset=".length()).replace("\"", "").trim())) {
                return false;
            }
        }
        return true;
    }

    private static HalleyException tooLarge(int maxChars) {
        return new HalleyException(ErrorCode.TOO_LARGE, "at most " + maxChars + " characters of client frames");
    }
}
