package io.halley.transport.http;

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
 * Reads the client frames a {@code POST} carries, bounded before they reach the hub.
 *
 * <p>The body goes to {@link io.halley.api.Session#handle} as text: this reader does not
 * parse it, it only makes sure that it is what every HTTP transport documents (see
 * docs/protocol.md) — {@code application/json} in UTF-8 (or no {@code Content-Type}), and
 * no longer than {@link io.halley.api.Hub#maxClientFrameSize()}. A transport answers a
 * {@link HalleyException} it throws with the error it names.
 */
public final class ClientFrames {

    private ClientFrames() {
    }

    /**
     * Reads the whole body of a client-frames request. A body that cannot fit is refused
     * from its {@code Content-Length} before a byte is read; any other is read no further
     * than one character past the limit, whatever it claims.
     *
     * @param req      the {@code POST}; its input stream is read with blocking reads
     * @param maxChars the hub's {@link io.halley.api.Hub#maxClientFrameSize()}
     * @return the body as text, at most {@code maxChars} characters
     * @throws HalleyException {@link ErrorCode#UNSUPPORTED_MEDIA_TYPE} when the
     *         {@code Content-Type} is not JSON in UTF-8, {@link ErrorCode#TOO_LARGE} when
     *         the body is longer than {@code maxChars}, {@link ErrorCode#INVALID_TEXT} when
     *         it is not UTF-8
     * @throws IOException when reading the body fails
     */
    public static String read(HttpServletRequest req, int maxChars) throws IOException {
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
