package io.halley.console.internal;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Draws the dashboard's rate chart as an inline SVG. It holds numbers and fixed words
 * only, never a string a user supplied, which is why the console may show it as markup.
 */
final class SvgChart {

    static final String IN_COLOR = "#197de1";
    static final String OUT_COLOR = "#ed473b";

    private SvgChart() {
    }

    static String render(List<RateHistory.Point> points, int capacity, int width, int height) {
        int left = 48;
        int bottom = 20;
        int plotW = width - left - 8;
        int plotH = height - bottom - 8;
        double max = 1;
        for (RateHistory.Point p : points) {
            max = Math.max(max, Math.max(p.in(), p.out()));
        }
        max = niceCeiling(max);
        StringBuilder b = new StringBuilder(4096);
        b.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(width).append("' height='").append(height)
                .append("' viewBox='0 0 ").append(width).append(' ').append(height)
                .append("' font-family='sans-serif' font-size='11'>");
        b.append("<rect x='").append(left).append("' y='8' width='").append(plotW).append("' height='").append(plotH)
                .append("' fill='#fafafa' stroke='#ddd'/>");
        for (int i = 0; i <= 4; i++) {
            double v = max * i / 4;
            double y = 8 + plotH - plotH * i / 4.0;
            b.append("<line x1='").append(left).append("' x2='").append(left + plotW).append("' y1='").append(fmt(y))
                    .append("' y2='").append(fmt(y)).append("' stroke='#eee'/>");
            b.append("<text x='").append(left - 4).append("' y='").append(fmt(y + 4)).append("' text-anchor='end'>")
                    .append(label(v)).append("</text>");
        }
        b.append("<text x='").append(left).append("' y='").append(height - 4).append("'>-")
                .append(capacity).append(" s</text>");
        b.append("<text x='").append(left + plotW).append("' y='").append(height - 4)
                .append("' text-anchor='end'>now</text>");
        line(b, points, capacity, left, plotW, plotH, max, RateHistory.Point::in, IN_COLOR);
        line(b, points, capacity, left, plotW, plotH, max, RateHistory.Point::out, OUT_COLOR);
        b.append("</svg>");
        return b.toString();
    }

    private static void line(StringBuilder b, List<RateHistory.Point> points, int capacity, int left, int plotW,
            int plotH, double max, ToDoubleFunction<RateHistory.Point> value, String color) {
        if (points.isEmpty()) {
            return;
        }
        b.append("<polyline fill='none' stroke='").append(color).append("' stroke-width='1.5' points='");
        int n = points.size();
        double step = plotW / (double) Math.max(1, capacity - 1);
        for (int i = 0; i < n; i++) {
            // the newest point is at the right edge; older ones go left, one step a sample
            double x = left + plotW - (n - 1 - i) * step;
            double y = 8 + plotH - plotH * Math.min(1, value.applyAsDouble(points.get(i)) / max);
            b.append(fmt(x)).append(',').append(fmt(y)).append(' ');
        }
        b.append("'/>");
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String label(double v) {
        if (v >= 1_000_000) {
            return fmt(v / 1_000_000) + "M";
        }
        if (v >= 1000) {
            return fmt(v / 1000) + "k";
        }
        return fmt(v);
    }

    private static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }
}
