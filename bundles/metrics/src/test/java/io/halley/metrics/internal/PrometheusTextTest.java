package io.halley.metrics.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

public class PrometheusTextTest {

    @Test
    public void familiesHaveHelpTypeAndSamplesWithSortedEscapedLabels() {
        PrometheusText p = new PrometheusText();
        assertTrue(p.family("halley_connections", "gauge", "Connected sessions\nby transport."));
        p.sample(Map.of("transport", "sse", "node", "a\"b\\c\nd"), 3);
        p.single("halley_up", "gauge", "Up.", 1);
        assertEquals("""
                # HELP halley_connections Connected sessions\\nby transport.
                # TYPE halley_connections gauge
                halley_connections{node="a\\"b\\\\c\\nd",transport="sse"} 3
                # HELP halley_up Up.
                # TYPE halley_up gauge
                halley_up 1
                """, p.toString());
    }

    @Test
    public void aSecondFamilyOfTheSameNameIsDroppedWithItsSamples() {
        PrometheusText p = new PrometheusText();
        p.single("x_total", "counter", "first", 1);
        assertFalse(p.family("x_total", "counter", "second"));
        p.sample(2);
        assertEquals("# HELP x_total first\n# TYPE x_total counter\nx_total 1\n", p.toString());
    }

    @Test
    public void namesAreCheckedAndSanitized() {
        assertEquals("errors_sse_invalid_channel", PrometheusText.sanitize("errors.sse.invalid_channel"));
        assertEquals("a_b_c", PrometheusText.sanitize("A-b c"));
        PrometheusText p = new PrometheusText();
        assertThrows(IllegalArgumentException.class, () -> p.family("1abc", "gauge", "x"));
        assertThrows(IllegalArgumentException.class, () -> p.family("a.b", "gauge", "x"));
        p.family("ok", "gauge", "x");
        assertThrows(IllegalArgumentException.class, () -> p.sample(Map.of("__reserved", "v"), 1));
    }

    @Test
    public void numbersAsPrometheusReadsThem() {
        assertEquals("42", PrometheusText.number(42));
        assertEquals("0.5", PrometheusText.number(0.5));
        assertEquals("NaN", PrometheusText.number(Double.NaN));
        assertEquals("+Inf", PrometheusText.number(Double.POSITIVE_INFINITY));
        assertEquals("-Inf", PrometheusText.number(Double.NEGATIVE_INFINITY));
    }
}
