package io.halley.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.halley.api.ContentType;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns a published body into the payload a frame carries: compact JSON on one line.
 * JSON is re-generated rather than passed through, which both validates it and removes
 * the line breaks that would split a Server-Sent Events {@code data:} line.
 */
final class Payloads {

    private final JsonFactory json = JsonFactory.builder().build();

    /** Decodes strict UTF-8; null when the bytes are not UTF-8. */
    static String utf8(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * @return the payload of a body declared with a content type, as compact JSON
     * @throws HalleyException invalid_text or invalid_json
     */
    String fromBody(byte[] body, ContentType type) {
        String text = utf8(body);
        if (text == null) {
            throw new HalleyException(ErrorCode.INVALID_TEXT, "the body is not valid UTF-8");
        }
        return fromText(text, type);
    }

    /**
     * @return the payload of a text body, as compact JSON
     * @throws HalleyException invalid_json when declared JSON but malformed
     */
    String fromText(String text, ContentType type) {
        switch (type) {
            case JSON:
                String normalized = normalize(text);
                if (normalized == null) {
                    throw new HalleyException(ErrorCode.INVALID_JSON, "the body is not valid JSON");
                }
                return normalized;
            case TEXT:
                return string(text);
            default:
                if (looksLikeContainer(text)) {
                    String n = normalize(text);
                    if (n != null) {
                        return n;
                    }
                }
                return string(text);
        }
    }

    /** @return the text as a JSON string literal */
    String string(String text) {
        return Json.quote(new StringBuilder(text.length() + 16), text).toString();
    }

    /** @return compact JSON of exactly one JSON value, or null when the text is not that */
    String normalize(String text) {
        StringWriter out = new StringWriter(text.length());
        try (JsonParser p = json.createParser(text); JsonGenerator g = json.createGenerator(out)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                return null;
            }
            g.copyCurrentStructure(p);
            if (p.nextToken() != null) {
                return null;
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return out.toString();
    }

    private static boolean looksLikeContainer(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{' || c == '[') {
                return true;
            }
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return false;
            }
        }
        return false;
    }
}
