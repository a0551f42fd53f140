package io.halley.console.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class WidgetsTest {

    @Test
    public void aLongTextIsCutAndSaysHowLongItWas() {
        assertEquals("\"<b>x</b>\"", Widgets.abbreviate("\"<b>x</b>\"", 500));
        assertEquals("xxxxx", Widgets.abbreviate("xxxxx", 5));
        assertEquals("yyyyy… (70000 characters)", Widgets.abbreviate("y".repeat(70_000), 5));
    }
}
