package io.halley.core.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;
import io.halley.api.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One frame a client sent, read with Jackson's streaming parser: only the fields the
 * protocol knows are kept, anything else is skipped unread.
 */
final class ClientFrame {

    static final int MAX_ID_LENGTH = 64;

    String type;
    /** The id as JSON text (a quoted string or an integer), or null. */
    String id;
    String channel;
    String session;
    String token;
    String user;
    String password;
    long lastSeq = -1;
    long seq = -1;
    long recoverOffset = -1;
    /** The payload of a publish, as compact JSON text. */
    String data;
    /** Why this frame alone is unusable (a bad id): it is counted and skipped. */
    String defect;

    /**
     * @return the frames of a JSON object or array of objects
     * @throws HalleyException bad_frame when the text is neither, or a frame has no type
     */
    static List<ClientFrame> parse(JsonFactory json, String text) {
        List<ClientFrame> frames = new ArrayList<>(1);
        try (JsonParser p = json.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                frames.add(object(json, p));
            } else if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t != JsonToken.START_OBJECT) {
                        throw bad("an array of frames holds only JSON objects");
                    }
                    frames.add(object(json, p));
                }
            } else {
                throw bad("a frame is a JSON object, or an array of them");
            }
            if (p.nextToken() != null) {
                throw bad("text after the frame");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof HalleyException) {
                throw (HalleyException) e;
            }
            throw bad("not valid JSON");
        }
        return frames;
    }

    private static ClientFrame object(JsonFactory json, JsonParser p) throws IOException {
        ClientFrame f = new ClientFrame();
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "type" -> f.type = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "id" -> {
                    if (v == JsonToken.VALUE_STRING && p.getTextLength() <= MAX_ID_LENGTH) {
                        f.id = Json.quote(new StringBuilder(), p.getText()).toString();
                    } else if (v == JsonToken.VALUE_NUMBER_INT && p.getTextLength() <= 18) {
                        f.id = Long.toString(p.getLongValue());
                    } else {
                        f.defect = "an id is a string of at most " + MAX_ID_LENGTH + " characters or an integer";
                        p.skipChildren();
                    }
                }
                case "channel" -> f.channel = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "session" -> f.session = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "token" -> f.token = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "user" -> f.user = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "password" -> f.password = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "lastSeq" -> f.lastSeq = number(p, v);
                case "seq" -> f.seq = number(p, v);
                case "data" -> f.data = copy(json, p);
                case "recover" -> {
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            JsonToken fv = p.nextToken();
                            if (field.equals("offset")) {
                                f.recoverOffset = Math.max(0, number(p, fv));
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw bad("not valid JSON");
        }
        if (f.type == null) {
            throw bad("a frame needs a \"type\"");
        }
        return f;
    }

    private static long number(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT && p.getTextLength() <= 18) {
            return p.getLongValue();
        }
        p.skipChildren();
        return -1;
    }

    private static String copy(JsonFactory json, JsonParser p) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.copyCurrentStructure(p);
        }
        return out.toString();
    }

    private static HalleyException bad(String why) {
        return new HalleyException(ErrorCode.BAD_FRAME, why);
    }
}
