package io.halley.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;

import org.junit.Test;

public class JsonTest {

    @Test
    public void plainTextIsOnlyQuoted() {
        assertEquals("\"demo.news\"", Json.quote("demo.news"));
        assertEquals("\"\"", Json.quote(""));
    }

    @Test
    public void quoteAndBackslashAreEscaped() {
        assertEquals("\"say \\\"hi\\\" \\\\o/\"", Json.quote("say \"hi\" \\o/"));
    }

    @Test
    public void lineFeedCarriageReturnAndTabHaveShortEscapes() {
        assertEquals("\"a\\nb\\rc\\td\"", Json.quote("a\nb\rc\td"));
    }

    @Test
    public void otherControlsAndLineSeparatorsBecomeLowerCaseUnicodeEscapes() {
        assertEquals("\"\\u0000\\u001f\\u0008\\u000c\"", Json.quote("\u0000\u001f\b\f"));
        assertEquals("\"x\\u2028y\\u2029z\"", Json.quote("x\u2028y\u2029z"));
    }

    @Test
    public void otherTextIsWrittenAsItIs() {
        // DEL, non-ASCII and a surrogate pair need no escape in JSON
        assertEquals("\"\u007f \u00e9 \u4e2d \uD83D\uDE00 /\"", Json.quote("\u007f \u00e9 \u4e2d \uD83D\uDE00 /"));
    }

    @Test
    public void appendsToTheBuilderItIsGiven() {
        StringBuilder b = new StringBuilder("{\"id\":");
        assertSame(b, Json.quote(b, "a\"b"));
        assertEquals("{\"id\":\"a\\\"b\"", b.toString());
    }

    @Test
    public void errorBodyAndCloseFrameAreTheDocumentedBytes() {
        assertEquals("{\"error\":\"bad_request\",\"message\":\"line\\none \\\"q\\\"\"}",
                HalleyException.errorJson(ErrorCode.BAD_REQUEST, "line\none \"q\""));
        assertEquals("{\"error\":\"internal\",\"message\":\"\"}", HalleyException.errorJson(ErrorCode.INTERNAL, null));
        assertEquals("{\"type\":\"close\",\"reason\":\"slow_consumer\",\"reconnect\":false}",
                CloseReason.SLOW_CONSUMER.toJson());
        assertEquals("{\"type\":\"close\",\"reason\":\"shutdown\",\"reconnect\":true}", CloseReason.SHUTDOWN.toJson());
    }
}
