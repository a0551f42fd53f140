package io.halley.console.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * The hub's message rates over the last minutes: fed a sample of the counters about once
 * a second, it keeps the rates per second between consecutive samples. Shared by every
 * open console page; thread-safe.
 */
final class RateHistory {

    /** Messages per second in (received from the broker) and out (delivered to sessions) at a time. */
    record Point(long time, double in, double out) {
    }

    static final String IN = "messages.received";
    static final String OUT = "messages.delivered";

    private final int capacity;
    private final Deque<Point> points = new ArrayDeque<>();
    private long lastTime = -1;
    private long lastIn;
    private long lastOut;

    RateHistory(int capacity) {
        this.capacity = Math.max(2, capacity);
    }

    /**
     * @param now      milliseconds
     * @param counters the hub's counters, or null when no hub runs (the history shows a gap as zeros)
     */
    synchronized void sample(long now, Map<String, Long> counters) {
        if (counters == null) {
            lastTime = -1;
            add(new Point(now, 0, 0));
            return;
        }
        long in = counters.getOrDefault(IN, 0L);
        long out = counters.getOrDefault(OUT, 0L);
        // a first sample, or counters that went back (a new hub): no rate to tell yet
        if (lastTime >= 0 && now > lastTime && in >= lastIn && out >= lastOut) {
            double seconds = (now - lastTime) / 1000.0;
            add(new Point(now, (in - lastIn) / seconds, (out - lastOut) / seconds));
        }
        lastTime = now;
        lastIn = in;
        lastOut = out;
    }

    private void add(Point p) {
        points.addLast(p);
        while (points.size() > capacity) {
            points.removeFirst();
        }
    }

    synchronized List<Point> points() {
        return new ArrayList<>(points);
    }

    /** @return the latest rates, or zeros */
    synchronized Point latest() {
        return points.isEmpty() ? new Point(0, 0, 0) : points.getLast();
    }
}
