package io.halley.shell.internal;

import org.apache.karaf.shell.api.console.CommandLine;

/** The cursor at the end of one argument being typed. */
final class FakeCommandLine implements CommandLine {

    private final String argument;

    FakeCommandLine(String argument) {
        this.argument = argument;
    }

    @Override
    public int getCursorArgumentIndex() {
        return 0;
    }

    @Override
    public String getCursorArgument() {
        return argument;
    }

    @Override
    public int getArgumentPosition() {
        return argument.length();
    }

    @Override
    public String[] getArguments() {
        return new String[] {argument};
    }

    @Override
    public int getBufferPosition() {
        return argument.length();
    }

    @Override
    public String getBuffer() {
        return argument;
    }
}
