package io.halley.auth.internal;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Named counters of successes and refusals. */
final class Counters {

    private final ConcurrentHashMap<String, LongAdder> counters = new ConcurrentHashMap<>();

    void increment(String name) {
        counters.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    long get(String name) {
        LongAdder adder = counters.get(name);
        return adder == null ? 0 : adder.sum();
    }

    Map<String, Long> snapshot() {
        Map<String, Long> result = new TreeMap<>();
        counters.forEach((name, adder) -> result.put(name, adder.sum()));
        return result;
    }
}
