package io.halley.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.HdrHistogram.Histogram;

/** What a run measured, as a Markdown table and an SVG chart (throughput against p99 latency). */
final class Report {

    static final double P99_LIMIT_MS = 50;

    String date;
    String mode;
    String nproc;
    String memory;
    String java;
    String cpu;
    String serverOpts;
    String load;
    String loadAfter;
    final List<Step> fanout = new ArrayList<>();
    final List<Step> latency = new ArrayList<>();
    final List<Idle> idle = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    static final String CPU_NOTE = "*Server CPU µs / delivery*: CPU time (user and system, every thread) the server "
            + "process used during the step, over the deliveries received: Halley's JVM, with the embedded broker that every "
            + "side shares (the publishers' JMS traffic, and for ActiveMQ's STOMP over WebSocket its whole delivery); for "
            + "CometD, Halley's JVM plus CometD's. *Driver*: the same for the subscriber process. On a shared machine these "
            + "hold where latencies do not: a busy neighbour delays every thread, it does not make the work bigger. *Load*: "
            + "the machine's 1-minute load average at the end of the step (2 cores).\n\n";

    static final class Step {
        String transport;
        String kind;
        int target;
        int subscribers;
        int failedConnections;
        long published;
        double publishRate;
        long received;
        double achieved;
        long lost;
        long dups;
        int dropped;
        Histogram histogram;
        /** CPU time the server used in the step (for CometD: Halley's JVM, with the broker, and CometD's). */
        long serverCpuMillis;
        long driverCpuMillis;
        /** The machine's 1-minute load average at the end of the step. */
        double load;

        double serverCpuPerDelivery() {
            return received == 0 ? Double.NaN : serverCpuMillis * 1000.0 / received;
        }

        double driverCpuPerDelivery() {
            return received == 0 ? Double.NaN : driverCpuMillis * 1000.0 / received;
        }

        double p(double percentile) {
            return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
        }

        double max() {
            return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMaxValue() / 1000.0;
        }

        boolean ok() {
            return lost == 0 && dups == 0 && dropped == 0 && received > 0 && p(99) <= P99_LIMIT_MS;
        }
    }

    static final class Idle {
        String transport;
        int target;
        int open;
        int failed;
        int dropped;
        long heapBefore;
        long heapAfter;
        long rssBefore;
        long rssAfter;

        double heapPerConn() {
            return open == 0 ? Double.NaN : (heapAfter - heapBefore) / (double) open;
        }

        double rssPerConn() {
            return open == 0 ? Double.NaN : (rssAfter - rssBefore) / (double) open;
        }
    }

    private static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "–" : v < 10 ? f("%.2f", v) : f("%.1f", v);
    }

    static String label(String transport) {
        return switch (transport) {
            case "stomp-ws" -> "ActiveMQ STOMP over WebSocket";
            case "cometd" -> "CometD 8 long-polling";
            default -> "Halley " + transport;
        };
    }

    /** Halley against ActiveMQ's own WebSocket connector and CometD: the ratios of issue 6. */
    private void sideBySide(StringBuilder b, Map<String, Step> best) {
        boolean stomp = fanout.stream().anyMatch(s -> s.transport.equals("stomp-ws"));
        boolean cometd = fanout.stream().anyMatch(s -> s.transport.equals("cometd"));
        if (!stomp && !cometd) {
            return;
        }
        int top = fanout.stream().mapToInt(s -> s.target).max().orElse(0);
        b.append("## Side by side: Halley / ActiveMQ WebSocket, Halley / CometD\n\n");
        b.append("Same run, same broker, same publishers and load shape. ActiveMQ: its own `ws://` connector "
                + "(STOMP 1.2 over WebSocket, subprotocol `v12.stomp`) on Halley's embedded broker (`wsPort`), a STOMP "
                + "client per subscriber on Jetty 9.4's WebSocket client, as Halley's. CometD: a CometD 8.0.9 server "
                + "(Jetty 12, own JVM, the same JVM options as Halley's) bridged from the same JMS topics by one consumer "
                + "on `>`, like Halley's hub; CometD's Java long-polling client (`BayeuxClient` + "
                + "`JettyHttpClientTransport`), whose Jetty 12 HttpClient also drives Halley's long-polling. "
                + "**WebSocket compression (permessage-deflate) is off on both sides**: the client offers no extension, "
                + "so neither Halley nor ActiveMQ's Jetty 9.4 negotiates one; long-polling on both sides has no gzip. A "
                + "figure with a loss, duplicate or dropped connection is not a result (the step fails).\n\n");
        b.append("| comparison | Halley | other | Halley / other | target of issue 6 |\n");
        b.append("| --- | --- | --- | --- | --- |\n");
        if (stomp) {
            ratioRow(b, "fan-out deliveries/s at p99 <= 50 ms: Halley WebSocket vs ActiveMQ STOMP over WebSocket",
                    best.get("websocket"), best.get("stomp-ws"), top);
        }
        if (cometd) {
            ratioRow(b, "fan-out deliveries/s at p99 <= 50 ms: Halley long-poll vs CometD long-polling",
                    best.get("longpoll"), best.get("cometd"), top);
        }
        for (String[] pair : new String[][] {{"websocket", "stomp-ws"}, {"longpoll", "cometd"}}) {
            Step h = latency.stream().filter(s -> s.transport.equals(pair[0])).findFirst().orElse(null);
            Step o = latency.stream().filter(s -> s.transport.equals(pair[1])).findFirst().orElse(null);
            if (h != null && o != null) {
                boolean clean = h.lost + h.dups + h.dropped == 0 && o.lost + o.dups + o.dropped == 0;
                b.append(f("| latency p99 ms at the fixed load: %s vs %s | %s | %s | %s | lower is better |%n", label(pair[0]),
                        label(pair[1]), ms(h.p(99)), ms(o.p(99)), clean ? f("%.2f", h.p(99) / o.p(99)) : "– (losses)"));
            }
        }
        b.append(f("%nThe fan-out figures are the highest *step* that passed on a ladder that ends at %,d deliveries/s: "
                + "when a side passed the top step its figure is a lower bound and the ratio is marked with >= or <=.%n%n", top));
    }

    private void ratioRow(StringBuilder b, String what, Step halley, Step other, int top) {
        String h = halley == null ? "none passed" : f("%,d", halley.target);
        String o = other == null ? "none passed" : f("%,d", other.target);
        String ratio;
        if (halley == null || other == null) {
            ratio = "–";
        } else {
            double r = halley.target / (double) other.target;
            boolean hCapped = halley.target == top;
            boolean oCapped = other.target == top;
            ratio = hCapped && oCapped ? "both at the top step: not measured"
                    : hCapped ? f(">= %.2f", r) : oCapped ? f("<= %.2f", r) : f("%.2f", r);
        }
        b.append(f("| %s | %s | %s | %s | >= 1.5 |%n", what, h, o, ratio));
    }

    String markdown(String svgName) {
        StringBuilder b = new StringBuilder();
        b.append("# Halley benchmark: ").append(date).append("\n\n");
        b.append("| date | mode | machine: `nproc` | memory | CPU | java -version | server JVM options | load average before / after |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        b.append(f("| %s | %s | %s | %s | %s | %s | `%s` | %s / %s |%n%n", date, mode, nproc, memory, cpu, java, serverOpts,
                load, loadAfter));

        b.append("## Fan-out: highest rate with p99 <= 50 ms and nothing lost\n\n");
        b.append("| transport | best step (deliveries/s asked) | deliveries/s achieved | p50 ms | p99 ms | p99.9 ms |\n");
        b.append("| --- | --- | --- | --- | --- | --- |\n");
        Map<String, Step> best = new LinkedHashMap<>();
        for (String t : Bench.ALL) {
            if (!t.equals("stomp-ws") && !t.equals("cometd") || fanout.stream().anyMatch(s -> s.transport.equals(t))) {
                best.put(t, null);
            }
        }
        for (Step s : fanout) {
            if (s.ok() && (best.get(s.transport) == null || best.get(s.transport).target < s.target)) {
                best.put(s.transport, s);
            }
        }
        best.forEach((t, s) -> b.append(s == null ? f("| %s | none passed | | | | |%n", t)
                : f("| %s | %,d | %,.0f | %s | %s | %s |%n", t, s.target, s.achieved, ms(s.p(50)), ms(s.p(99)), ms(s.p(99.9)))));
        b.append("\nA step fails with a p99 over 50 ms, or any loss, duplicate or drop; two failed steps in a row end a "
                + "transport's climb. The best figure is the highest step that passed, a lower bound of what passes, not a "
                + "maximum found by bisection; on this shared machine a step below it may have failed (see every step).\n\n");

        sideBySide(b, best);

        b.append("## Fan-out: every step\n\n");
        b.append("JMS publishers (NON_PERSISTENT) on 100 channels, each subscriber on 10 of them, 50-byte bodies.\n\n");
        b.append(CPU_NOTE);
        b.append("| transport | subscribers | deliveries/s asked | messages/s published | deliveries/s achieved | p50 ms | p99 ms | p99.9 ms | max ms | lost | dup | dropped conn. | failed conn. | server CPU µs / delivery | driver CPU µs / delivery | load | p99 <= 50 ms, no loss |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Step s : fanout) {
            b.append(f("| %s | %d | %,d | %,.0f | %,.0f | %s | %s | %s | %s | %d | %d | %d | %d | %.1f | %.1f | %.1f | %s |%n", s.transport, s.subscribers,
                    s.target, s.publishRate, s.achieved, ms(s.p(50)), ms(s.p(99)), ms(s.p(99.9)), ms(s.max()), s.lost, s.dups,
                    s.dropped, s.failedConnections, s.serverCpuPerDelivery(), s.driverCpuPerDelivery(), s.load,
                    s.ok() ? "yes" : "**no**"));
        }

        b.append("\n## Latency at a fixed load\n\n");
        b.append("Each subscriber on 1 of 100 channels; the rate is messages published per second in all (each goes to "
                + "subscribers/100 clients). Targets of issue 6: p99 <= 5 ms over WebSocket, <= 10 ms over SSE.\n\n");
        b.append("| transport | subscribers | messages/s | deliveries/s | p50 ms | p99 ms | p99.9 ms | max ms | lost | dup | dropped conn. | failed conn. | server CPU µs / delivery | driver CPU µs / delivery | load | target |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Step s : latency) {
            String target = switch (s.transport) {
                case "websocket" -> s.p(99) <= 5 ? "met (<= 5 ms)" : "**missed** (5 ms)";
                case "sse" -> s.p(99) <= 10 ? "met (<= 10 ms)" : "**missed** (10 ms)";
                default -> "none set";
            };
            b.append(f("| %s | %d | %,.0f | %,.0f | %s | %s | %s | %s | %d | %d | %d | %d | %.1f | %.1f | %.1f | %s |%n", s.transport, s.subscribers,
                    s.publishRate, s.achieved, ms(s.p(50)), ms(s.p(99)), ms(s.p(99.9)), ms(s.max()), s.lost, s.dups, s.dropped,
                    s.failedConnections, s.serverCpuPerDelivery(), s.driverCpuPerDelivery(), s.load, target));
        }

        b.append("\n## Idle connections: the server's memory per connection\n\n");
        b.append("Heap used after a full GC (`jcmd GC.run`, `GC.heap_info`) and resident memory (`VmRSS`), after the "
                + "connections minus before them, divided by the connections open. Target of issue 6: at most 10 KiB "
                + "of heap per idle connection.\n\n");
        b.append("| transport | asked | open | failed | dropped | heap before MiB | heap after MiB | heap KiB / conn. | RSS before MiB | RSS after MiB | RSS KiB / conn. | target |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Idle i : idle) {
            b.append(f("| %s | %,d | %,d | %d | %d | %.1f | %.1f | %.2f | %.1f | %.1f | %.2f | %s |%n", i.transport, i.target, i.open,
                    i.failed, i.dropped, i.heapBefore / 1024.0, i.heapAfter / 1024.0, i.heapPerConn(), i.rssBefore / 1024.0,
                    i.rssAfter / 1024.0, i.rssPerConn(), i.heapPerConn() <= 10 ? "met" : "**missed**"));
        }
        if (!notes.isEmpty()) {
            b.append("\n## Notes\n\n");
            notes.forEach(n -> b.append("- ").append(n).append('\n'));
        }
        b.append("\n![fan-out: deliveries per second against p99 latency](").append(svgName).append(")\n");
        return b.toString();
    }

    /** Deliveries per second (log x) against p99 latency (log y), one line per transport over the fan-out steps. */
    String svg() {
        int w = 760;
        int h = 480;
        int left = 70;
        int right = 170;
        int top = 40;
        int bottom = 60;
        double xMin = 500;
        double xMax = 200_000;
        double yMin = 0.1;
        double yMax = 10_000;
        for (Step s : fanout) {
            xMax = Math.max(xMax, s.achieved * 1.2);
            yMax = Math.max(yMax, s.p(99) * 1.2);
        }
        double fxMin = Math.log10(xMin);
        double fxMax = Math.log10(xMax);
        double fyMin = Math.log10(yMin);
        double fyMax = Math.log10(yMax);
        int pw = w - left - right;
        int ph = h - top - bottom;
        java.util.function.DoubleUnaryOperator x = v -> left + (Math.log10(Math.max(v, xMin)) - fxMin) / (fxMax - fxMin) * pw;
        java.util.function.DoubleUnaryOperator y = v -> top + ph - (Math.log10(Math.max(v, yMin)) - fyMin) / (fyMax - fyMin) * ph;
        StringBuilder b = new StringBuilder();
        b.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", w, h, w, h));
        b.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        b.append(f("<text x=\"%d\" y=\"22\" font-size=\"15\">Halley fan-out, %s: deliveries/s against p99 latency</text>%n", left,
                date));
        // grid and ticks
        for (double v = Math.pow(10, Math.ceil(fxMin)); v <= xMax; v *= 10) {
            double px = x.applyAsDouble(v);
            b.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", px, top, px, top + ph));
            b.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, top + ph + 18, label(v)));
        }
        for (double v = Math.pow(10, Math.ceil(fyMin)); v <= yMax; v *= 10) {
            double py = y.applyAsDouble(v);
            b.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", left, py, left + pw, py));
            b.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", left - 6, py + 4, label(v)));
        }
        b.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n", left, top, pw, ph));
        b.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">deliveries per second (log)</text>%n", left + pw / 2, h - 18));
        b.append(f("<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">p99 latency, ms (log)</text>%n",
                top + ph / 2, top + ph / 2));
        double limit = y.applyAsDouble(P99_LIMIT_MS);
        b.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c00\" stroke-dasharray=\"6 4\"/>%n", left, limit,
                left + pw, limit));
        b.append(f("<text x=\"%d\" y=\"%.1f\" fill=\"#c00\">p99 = 50 ms</text>%n", left + pw + 6, limit + 4));
        String[] colors = {"#1f77b4", "#2ca02c", "#ff7f0e", "#d62728", "#9467bd"};
        int i = 0;
        for (String t : Bench.ALL) {
            if (fanout.stream().noneMatch(s -> s.transport.equals(t))) {
                i++;
                continue;
            }
            String color = colors[i % colors.length];
            StringBuilder pts = new StringBuilder();
            for (Step s : fanout) {
                if (s.transport.equals(t) && !Double.isNaN(s.p(99))) {
                    double px = x.applyAsDouble(s.achieved);
                    double py = y.applyAsDouble(s.p(99));
                    pts.append(f("%.1f,%.1f ", px, py));
                    b.append(f("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"%s><title>%s %,d/s asked: %,.0f/s, p99 %s ms, lost %d</title></circle>%n",
                            px, py, s.ok() ? color : "white", s.ok() ? "" : " stroke=\"" + color + "\" stroke-width=\"2\"", t,
                            s.target, s.achieved, ms(s.p(99)), s.lost));
                }
            }
            if (pts.length() > 0) {
                b.append(f("<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", pts.toString().trim(), color));
            }
            int ly = top + 20 + i * 20;
            b.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n", left + pw + 10, ly,
                    left + pw + 30, ly, color));
            b.append(f("<text x=\"%d\" y=\"%d\">%s</text>%n", left + pw + 36, ly + 4, t));
            i++;
        }
        b.append(f("<text x=\"%d\" y=\"%d\" fill=\"#666\">hollow: step failed</text>%n", left + pw + 10, top + 20 + i * 20 + 4));
        b.append(f("<text x=\"%d\" y=\"%d\" fill=\"#666\">(p99 &gt; 50 ms or loss)</text>%n", left + pw + 10, top + 36 + i * 20 + 4));
        b.append("</svg>\n");
        return b.toString();
    }

    private static String label(double v) {
        if (v >= 1_000_000) {
            return f("%.0fM", v / 1_000_000);
        }
        if (v >= 1_000) {
            return f("%.0fk", v / 1_000);
        }
        return v >= 1 ? f("%.0f", v) : f("%.1f", v);
    }
}
