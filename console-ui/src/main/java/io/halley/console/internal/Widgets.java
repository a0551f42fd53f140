package io.halley.console.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import com.vaadin.shared.ui.ContentMode;
import com.vaadin.ui.Label;
import com.vaadin.ui.Layout;
import com.vaadin.ui.VerticalLayout;
import com.vaadin.ui.themes.ValoTheme;

/** Small pieces the views share. Every label made here shows its text as text. */
final class Widgets {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private Widgets() {
    }

    static Label text(String id, String value) {
        Label l = new Label(value, ContentMode.TEXT);
        if (id != null) {
            l.setId(id);
        }
        return l;
    }

    static Label heading(String value) {
        Label l = new Label(value, ContentMode.TEXT);
        l.addStyleName(ValoTheme.LABEL_H3);
        l.addStyleName(ValoTheme.LABEL_NO_MARGIN);
        return l;
    }

    /** A figure with its caption under it; returns the label that shows the figure. */
    static Label tile(Layout parent, String id, String caption) {
        Label value = text(id, "–");
        value.addStyleName("halley-tile-value");
        Label cap = text(null, caption);
        cap.addStyleName("halley-tile-caption");
        VerticalLayout tile = new VerticalLayout(value, cap);
        tile.setMargin(false);
        tile.setSpacing(false);
        tile.setWidthUndefined();
        tile.addStyleName("halley-tile");
        parent.addComponent(tile);
        return value;
    }

    static VerticalLayout page() {
        VerticalLayout page = new VerticalLayout();
        page.setWidthFull();
        page.setMargin(true);
        return page;
    }

    static String age(long since, long now) {
        Duration d = Duration.ofMillis(Math.max(0, now - since));
        if (d.toHours() > 0) {
            return d.toHours() + " h " + d.toMinutesPart() + " min";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        }
        return d.toSeconds() + " s";
    }

    static String time(long millis) {
        return millis <= 0 ? "" : TIME.format(Instant.ofEpochMilli(millis));
    }

    /** The text cut to its first {@code max} characters, saying how long it was. */
    static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "… (" + text.length() + " characters)";
    }

    static String rate(double perSecond) {
        return perSecond >= 100 ? String.format(java.util.Locale.ROOT, "%.0f", perSecond)
                : String.format(java.util.Locale.ROOT, "%.1f", perSecond);
    }
}
