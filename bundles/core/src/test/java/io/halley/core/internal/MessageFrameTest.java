package io.halley.core.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.Test;

import io.halley.api.Message;

/** A message frame's size and bytes are its JSON's, whatever the length of its sequence number. */
public class MessageFrameTest {

    @Test
    public void sizeAndBytesAreThoseOfTheJson() throws IOException {
        Delivery d = new Delivery(new Message("news.eu", "ID:1", 7, 1000, "{\"t\":\"caf\u00e9\"}"), null, 0);
        long[] seqs = {0, 1, 9, 10, 11, 99, 100, 999, 1000, 123_456_789L, 999_999_999_999_999_999L,
            1_000_000_000_000_000_000L, Long.MAX_VALUE};
        for (long seq : seqs) {
            MessageFrame f = new MessageFrame(seq, d);
            byte[] json = f.json().getBytes(StandardCharsets.UTF_8);
            assertEquals("seq " + seq, json.length, f.size());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            f.writeTo(out);
            assertArrayEquals("seq " + seq, json, out.toByteArray());
            assertEquals(Long.toString(seq).length(), MessageFrame.digits(seq));
        }
    }
}
