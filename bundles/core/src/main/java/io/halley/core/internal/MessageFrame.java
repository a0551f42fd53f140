package io.halley.core.internal;

import io.halley.api.Frame;
import io.halley.api.Message;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

final class MessageFrame implements Frame {

    private static final byte[] HEAD = "{\"type\":\"message\",\"seq\":".getBytes(StandardCharsets.US_ASCII);

    private final long seq;
    private final Delivery delivery;

    MessageFrame(long seq, Delivery delivery) {
        this.seq = seq;
        this.delivery = delivery;
    }

    @Override
    public String type() {
        return "message";
    }

    @Override
    public long seq() {
        return seq;
    }

    @Override
    public Message message() {
        return delivery.message;
    }

    @Override
    public String json() {
        return "{\"type\":\"message\",\"seq\":" + seq + delivery.tailText;
    }

    @Override
    public int size() {
        return HEAD.length + digits(seq) + delivery.tail.length;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        out.write(HEAD);
        out.write(Long.toString(seq).getBytes(StandardCharsets.US_ASCII));
        out.write(delivery.tail);
    }

    /** Comparisons, not divisions: size() is asked on every enqueue, poll and ack of every delivery. */
    static int digits(long n) {
        long p = 10;
        for (int d = 1; d < 19; d++) {
            if (n < p) {
                return d;
            }
            p *= 10;
        }
        return 19;
    }

    @Override
    public String toString() {
        return json();
    }
}
