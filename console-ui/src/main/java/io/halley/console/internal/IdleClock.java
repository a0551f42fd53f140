package io.halley.console.internal;

/**
 * When the operator last did something. The console's pages refresh themselves every
 * second, so the HTTP session never idles out on its own: this clock, touched by the
 * operator's own actions only, is what ends an idle login.
 */
final class IdleClock {

    private volatile long last;

    IdleClock(long now) {
        last = now;
    }

    void touch(long now) {
        last = now;
    }

    /** @return whether more than {@code timeoutSeconds} passed since the last touch */
    boolean idle(long now, int timeoutSeconds) {
        return timeoutSeconds > 0 && now - last > timeoutSeconds * 1000L;
    }
}
