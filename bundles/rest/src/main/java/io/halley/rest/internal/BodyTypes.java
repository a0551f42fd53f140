package io.halley.rest.internal;

import io.halley.api.ContentType;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;

import java.util.Locale;

/** Maps a request's Content-Type header to how the publisher reads the body. */
final class BodyTypes {

    private BodyTypes() {
    }

    /**
     * @param header the Content-Type header, or null
     * @throws HalleyException {@link ErrorCode#UNSUPPORTED_MEDIA_TYPE}
     */
    static ContentType of(String header) {
        if (header == null || header.isBlank()) {
            return ContentType.AUTO;
        }
        String[] parts = header.split(";");
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        for (int i = 1; i < parts.length; i++) {
            String param = parts[i].trim();
            int eq = param.indexOf('=');
            if (eq < 0 || !param.substring(0, eq).trim().equalsIgnoreCase("charset")) {
                continue;
            }
            String charset = unquote(param.substring(eq + 1).trim());
            // Bodies go to the broker as bytes and are read as UTF-8 everywhere after;
            // transcoding here would hide a client's mistake rather than report it.
            if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
                throw new HalleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                        "only the UTF-8 charset is accepted, not '" + printable(charset) + "'");
            }
        }
        int slash = mediaType.indexOf('/');
        if (slash <= 0 || slash == mediaType.length() - 1) {
            throw unsupported(mediaType);
        }
        String type = mediaType.substring(0, slash);
        String subtype = mediaType.substring(slash + 1);
        if (mediaType.equals("application/json") || subtype.endsWith("+json")) {
            return ContentType.JSON;
        }
        if (type.equals("text")) {
            return ContentType.TEXT;
        }
        // What curl -d sends when told nothing; the body is taken as it is, not form-decoded.
        if (mediaType.equals("application/x-www-form-urlencoded")) {
            return ContentType.AUTO;
        }
        throw unsupported(mediaType);
    }

    private static HalleyException unsupported(String mediaType) {
        return new HalleyException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "unsupported content type '" + printable(mediaType)
                        + "': use application/json, text/plain or none");
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.toString();
    }
}
