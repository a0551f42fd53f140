package io.halley.api;

/**
 * Told when the channel permission rules changed; registered as an OSGi service
 * (whiteboard) by whoever must check again what it allowed before (the hub, the broker).
 */
@FunctionalInterface
public interface AccessControlListener {

    /** The rules changed; called on a thread of the access control's own, never under its locks. */
    void rulesChanged();
}
