package io.halley.core.internal;

import io.halley.api.Frame;
import io.halley.api.Message;

import java.nio.charset.StandardCharsets;

/** A sequenced frame other than a message ({@code reply}, {@code gap}), built once as text. */
final class TextFrame implements Frame {

    private final String type;
    private final long seq;
    private final String json;
    private final int size;

    /**
     * @param body the frame's fields after {@code seq}, starting with a comma, without the
     *             closing brace
     */
    TextFrame(String type, long seq, String body) {
        this.type = type;
        this.seq = seq;
        this.json = "{\"type\":\"" + type + "\",\"seq\":" + seq + body + "}";
        this.size = json.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public long seq() {
        return seq;
    }

    @Override
    public Message message() {
        return null;
    }

    @Override
    public String json() {
        return json;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String toString() {
        return json;
    }
}
