package io.halley.core.internal;

import io.halley.api.Frame;

/**
 * The frames of one session's queue, contiguous in sequence number, so that the first
 * unsent frame is found by index rather than by walking past the sent ones. Grows as
 * needed; not thread-safe (the session's lock guards it).
 */
final class FrameRing {

    /** No array until the first frame: an idle session's queue stays empty (its memory counts, times thousands). */
    private static final Frame[] NONE = new Frame[0];

    private Frame[] slots = NONE;
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    Frame first() {
        return size == 0 ? null : slots[head];
    }

    Frame get(int i) {
        return slots[(head + i) & (slots.length - 1)];
    }

    void addLast(Frame f) {
        if (size == slots.length) {
            Frame[] bigger = new Frame[Math.max(8, slots.length * 2)];
            for (int i = 0; i < size; i++) {
                bigger[i] = get(i);
            }
            slots = bigger;
            head = 0;
        }
        slots[(head + size) & (slots.length - 1)] = f;
        size++;
    }

    Frame removeFirst() {
        Frame f = slots[head];
        slots[head] = null;
        head = (head + 1) & (slots.length - 1);
        size--;
        if (size == 0 && slots.length > 64) {
            // an idle session should not hold on to the array of its busiest moment
            slots = NONE;
            head = 0;
        }
        return f;
    }

    void clear() {
        slots = NONE;
        head = 0;
        size = 0;
    }
}
