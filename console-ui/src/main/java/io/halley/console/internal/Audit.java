package io.halley.console.internal;

import io.halley.api.Identity;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log: every change an operator makes in the console, with who made it, on
 * the logger {@code io.halley.audit} (the same as the REST API's and the shell's); the
 * log line's time stamp is the when.
 */
final class Audit {

    private static final Logger AUDIT = LoggerFactory.getLogger("io.halley.audit");

    private Audit() {
    }

    /**
     * @param who     the operator
     * @param what    the area: {@code acl}, {@code session}, {@code feature}, {@code publish}, {@code login}
     * @param message what happened, with {} placeholders
     */
    static void log(Identity who, String what, String message, Object... args) {
        if (AUDIT.isInfoEnabled()) {
            Object[] all = new Object[args.length + 2];
            all[0] = what;
            System.arraycopy(args, 0, all, 1, args.length);
            all[all.length - 1] = who;
            AUDIT.info("{}: " + message + " (by {} via console)", all);
        }
    }
}
