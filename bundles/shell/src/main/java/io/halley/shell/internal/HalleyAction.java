package io.halley.shell.internal;

import io.halley.api.HalleyException;

import java.io.PrintStream;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.ShellUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the halley:* commands share: where they print, and how they report a refusal. */
abstract class HalleyAction implements Action {

    // Karaf points System.out at the calling console per thread; taking it when the
    // action is created (once per execution) keeps that, and lets tests capture it.
    PrintStream out = System.out;

    /**
     * Karaf prints a {@link CommandException} as one line, in the error colour, without
     * a stack trace and without logging it at error level: right for a refusal the user
     * can fix.
     */
    static CommandException failure(HalleyException e) {
        return new CommandException(e.getMessage() + " (" + e.code().code() + ")");
    }

    static CommandException unavailable(String what) {
        return new CommandException(what + " is not available (unavailable)");
    }

    /** Where changes an operator makes are recorded, with who made them. */
    static final Logger AUDIT = LoggerFactory.getLogger("io.halley.audit");

    /** @return who runs the command, for the audit log: {@code shell:karaf} */
    static String operator() {
        String user = ShellUtil.getCurrentUserName();
        return "shell:" + (user == null ? "console" : user);
    }
}
