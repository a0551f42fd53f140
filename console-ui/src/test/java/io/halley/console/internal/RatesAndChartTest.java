package io.halley.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class RatesAndChartTest {

    @Test
    public void ratesAreCounterDeltasPerSecondAndTheHistoryIsBounded() {
        RateHistory h = new RateHistory(3);
        h.sample(0, Map.of("messages.received", 100L, "messages.delivered", 1000L));
        assertTrue("one sample tells no rate", h.points().isEmpty());
        h.sample(2000, Map.of("messages.received", 120L, "messages.delivered", 1100L));
        assertEquals(10.0, h.latest().in(), 1e-9);
        assertEquals(50.0, h.latest().out(), 1e-9);
        // a new hub: counters went back, no rate until the next sample
        h.sample(3000, Map.of("messages.received", 5L, "messages.delivered", 5L));
        assertEquals(1, h.points().size());
        h.sample(4000, Map.of("messages.received", 6L, "messages.delivered", 9L));
        h.sample(5000, null);
        h.sample(6000, Map.of());
        h.sample(7000, Map.of("messages.received", 3L));
        List<RateHistory.Point> points = h.points();
        assertEquals(3, points.size());
        assertEquals(7000, points.get(2).time());
        assertEquals(3.0, points.get(2).in(), 1e-9);
    }

    @Test
    public void theChartIsAnSvgOfTwoLinesWithNiceScale() {
        RateHistory h = new RateHistory(10);
        for (int i = 0; i <= 5; i++) {
            h.sample(i * 1000L, Map.of("messages.received", i * 30L, "messages.delivered", i * 70L));
        }
        String svg = SvgChart.render(h.points(), 10, 640, 180);
        assertTrue(svg, svg.startsWith("<svg xmlns='http://www.w3.org/2000/svg'") && svg.endsWith("</svg>"));
        assertEquals(2, svg.split("<polyline").length - 1);
        assertTrue("the scale tops at 100 for a rate of 70: " + svg, svg.contains(">100</text>"));
        assertFalse(svg.contains("NaN"));
        assertEquals(0.5, SvgChart.niceCeiling(0.3), 1e-9);
        assertEquals(5000.0, SvgChart.niceCeiling(2001), 1e-9);
        assertEquals("1.5k", SvgChart.label(1500));
        // no points: axes only
        assertFalse(SvgChart.render(List.of(), 10, 640, 180).contains("<polyline"));
    }

    @Test
    public void theIdleClockCountsOnlyTouches() {
        IdleClock c = new IdleClock(0);
        assertFalse(c.idle(900_000, 900));
        assertTrue(c.idle(900_001, 900));
        c.touch(900_001);
        assertFalse(c.idle(1_000_000, 900));
        assertFalse("0 never times out", c.idle(Long.MAX_VALUE, 0));
    }
}
