package io.halley.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.jms.Connection;
import javax.jms.DeliveryMode;
import javax.jms.MessageProducer;
import javax.jms.Session;

import org.HdrHistogram.Histogram;
import org.apache.activemq.ActiveMQConnectionFactory;

/**
 * The benchmark's coordinator (run by bench/run.sh against a running Halley): starts the load-driver processes,
 * publishes by JMS, gathers their histograms and counts, measures the server's memory, and writes the report.
 */
public final class Bench {

    static final String[] TRANSPORTS = {"websocket", "sse", "longpoll"};
    /** The side-by-side: ActiveMQ's STOMP-over-WebSocket connector on Halley's broker, CometD 8 long-polling. */
    static final String[] OTHERS = {"stomp-ws", "cometd"};
    static final String[] ALL = {"websocket", "sse", "longpoll", "stomp-ws", "cometd"};
    static final int CHANNELS = 100;

    final Map<String, String> opt;
    final boolean quick;
    final String base;
    final String openwire;
    final long serverPid;
    /** The CometD server's JVM, whose CPU time counts for CometD's deliveries with the broker's (0: unknown). */
    final long cometdPid;
    final long deadlineNanos;
    final Report report = new Report();
    Connection jms;
    Session jmsSession;
    final MessageProducer[] producers = new MessageProducer[CHANNELS];
    int stepId;

    Bench(Map<String, String> opt) {
        this.opt = opt;
        this.quick = opt.containsKey("quick");
        this.base = opt.get("base");
        this.openwire = opt.get("openwire");
        this.serverPid = Long.parseLong(opt.get("server-pid"));
        this.cometdPid = Long.parseLong(opt.getOrDefault("cometd-pid", "0"));
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(opt.getOrDefault("budget", "720")));
    }

    public static void main(String[] args) throws Exception {
        Bench b = new Bench(args(args));
        try {
            b.run();
        } finally {
            if (b.jms != null) {
                b.jms.close();
            }
        }
        System.exit(0);
    }

    static Map<String, String> args(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String k = args[i].substring(2);
                if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    m.put(k, args[++i]);
                } else {
                    m.put(k, "true");
                }
            }
        }
        return m;
    }

    boolean outOfTime() {
        return System.nanoTime() > deadlineNanos;
    }

    void log(String s) {
        System.out.println("[bench " + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + s);
        System.out.flush();
    }

    void run() throws Exception {
        report.date = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
        report.mode = quick ? "quick (smoke run: small loads, short steps)" : "full";
        report.nproc = exec("nproc").trim();
        report.memory = memTotal();
        report.java = exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version")
                .lines().findFirst().orElse("?");
        report.cpu = exec("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").trim();
        report.serverOpts = opt.getOrDefault("server-opts", "");
        report.load = exec("cat", "/proc/loadavg").trim();

        ActiveMQConnectionFactory f = new ActiveMQConnectionFactory(openwire);
        f.setUseAsyncSend(true);
        jms = f.createConnection();
        jms.start();
        jmsSession = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
        for (int c = 0; c < CHANNELS; c++) {
            producers[c] = jmsSession.createProducer(jmsSession.createTopic("bench.c" + c));
            producers[c].setDeliveryMode(DeliveryMode.NON_PERSISTENT);
        }

        String only = opt.get("scenarios");
        List<String> defaults = new ArrayList<>(List.of(TRANSPORTS));
        if (opt.containsKey("stomp-ws")) {
            defaults.add("stomp-ws");
        }
        if (opt.containsKey("cometd")) {
            defaults.add("cometd");
        }
        String[] transports = opt.getOrDefault("transports", String.join(",", defaults)).split(",");
        for (String scenario : new String[] {"fanout", "latency", "idle"}) {
            if (only != null && !only.contains(scenario)) {
                continue;
            }
            for (int i = 0; i < transports.length; i++) {
                String t = transports[i];
                try {
                    switch (scenario) {
                        case "fanout" -> fanOut(t);
                        case "latency" -> latency(t);
                        default -> {
                            // the idle scenario measures Halley's own memory; the others run elsewhere or share it
                            if (List.of(TRANSPORTS).contains(t)) {
                                idle(t);
                            }
                        }
                    }
                } catch (Exception e) {
                    log(scenario + " over " + t + " failed: " + e);
                    report.notes.add(scenario + " over " + t + " failed: " + e.getMessage());
                }
            }
        }
        report.loadAfter = exec("cat", "/proc/loadavg").trim();
        Path out = Path.of(opt.get("out"));
        Files.createDirectories(out);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm"));
        String svgName = stamp + ".svg";
        Files.writeString(out.resolve(stamp + ".md"), report.markdown(svgName));
        Files.writeString(out.resolve(svgName), report.svg());
        Files.writeString(out.resolve("latest.md"), report.markdown("latest.svg"));
        Files.writeString(out.resolve("latest.svg"), report.svg());
        log("wrote " + out.resolve(stamp + ".md") + " and " + out.resolve(svgName));
    }

    // ---------------------------------------------------------------- scenarios

    void fanOut(String transport) throws Exception {
        int subscribers = quick ? 100 : 300;
        int[] rates = quick ? new int[] {1_000, 2_000, 5_000} : new int[] {1_000, 2_000, 5_000, 10_000, 15_000, 20_000, 30_000, 50_000, 100_000};
        if (opt.containsKey("rates")) {
            // another ladder, for profiling one rate: --rates 5000 or --rates 2000,5000
            rates = java.util.Arrays.stream(opt.get("rates").split(",")).mapToInt(Integer::parseInt).toArray();
        }
        int seconds = Integer.parseInt(opt.getOrDefault("step-seconds", quick ? "3" : "8"));
        if (outOfTime()) {
            report.notes.add("fan-out over " + transport + " skipped: out of time");
            return;
        }
        log("fan-out over " + transport + ": " + subscribers + " subscribers, each on 10 of 100 channels");
        try (Proc d = driver(transport, subscribers, 10, 0, "fanout-" + transport)) {
            String[] ready = d.expect("READY", 120).split(" ");
            int open = Integer.parseInt(ready[1]);
            log("  " + open + " subscribed, " + ready[2] + " failed");
            // a warm-up at the lowest rate, not reported: the server's and the driver's JIT
            step(d, transport, "warm-up", rates[0], open * 10, quick ? 4 : 8, true);
            int failures = 0;
            for (int rate : rates) {
                if (outOfTime()) {
                    report.notes.add("fan-out over " + transport + " stopped before " + rate + "/s: out of time");
                    break;
                }
                Report.Step s = step(d, transport, "fanout", rate, open * 10, seconds, false);
                s.failedConnections = Integer.parseInt(ready[2]);
                report.fanout.add(s);
                // two failed steps in a row end the transport's climb: the next would only be worse
                failures = s.ok() ? 0 : failures + 1;
                if (failures == 2) {
                    break;
                }
            }
        }
    }

    void latency(String transport) throws Exception {
        int subscribers = quick ? 200 : 1_000;
        int rate = quick ? 200 : 1_000;
        int seconds = quick ? 5 : 15;
        if (outOfTime()) {
            report.notes.add("latency over " + transport + " skipped: out of time");
            return;
        }
        log("latency over " + transport + ": " + subscribers + " subscribers, each on 1 of 100 channels, " + rate + " messages/s");
        try (Proc d = driver(transport, subscribers, 1, 0, "latency-" + transport)) {
            String[] ready = d.expect("READY", 120).split(" ");
            int open = Integer.parseInt(ready[1]);
            log("  " + open + " subscribed, " + ready[2] + " failed");
            // rate here is messages per second; deliveries = rate * subscribers per channel
            int perChannel = Math.max(1, open / CHANNELS);
            step(d, transport, "warm-up", rate * perChannel, open, 3, true);
            Report.Step s = step(d, transport, "latency", rate * perChannel, open, seconds, false);
            s.subscribers = open;
            s.failedConnections = Integer.parseInt(ready[2]);
            report.latency.add(s);
        }
    }

    /**
     * One step: publish {@code deliveriesPerSec / (subscriptions per channel)} messages per second for {@code seconds}
     * on the 100 channels, round robin, then collect what the driver received.
     *
     * @param subscriptions how many channel subscriptions all clients hold together (clients x channels each)
     */
    Report.Step step(Proc d, String transport, String kind, int deliveriesPerSec, int subscriptions, int seconds,
            boolean warmup) throws Exception {
        int step = ++stepId;
        double perChannel = Math.max(1.0, subscriptions / (double) CHANNELS);
        double msgRate = deliveriesPerSec / perChannel;
        long total = Math.max(1, Math.round(msgRate * seconds));
        d.send("BEGIN " + step);
        d.expect("OK", 30);
        // CPU time of the processes a delivery costs: on a shared machine a robust figure where latencies are not
        // (a busy neighbour delays every thread, it does not make the work bigger)
        long serverCpu0 = cpuMillis(serverPid) + (transport.equals("cometd") ? cpuMillis(cometdPid) : 0);
        long driverCpu0 = cpuMillis(d.process.pid());
        long[] published = new long[CHANNELS];
        long start = System.nanoTime();
        long startMicros = Wire.nowMicros();
        long stopAt = start + TimeUnit.SECONDS.toNanos(seconds + 5L);
        long sent = 0;
        for (long i = 0; i < total && System.nanoTime() < stopAt; i++) {
            long due = start + (long) (i * 1e9 / msgRate);
            long wait = due - System.nanoTime();
            if (wait > 20_000) {
                LockSupport.parkNanos(wait);
            }
            int c = (int) (i % CHANNELS);
            long n = ++published[c];
            producers[c].send(jmsSession.createTextMessage(Wire.body(step, c, n, Wire.nowMicros())));
            sent++;
        }
        double publishSeconds = (System.nanoTime() - start) / 1e9;
        StringBuilder end = new StringBuilder("END " + step);
        for (long p : published) {
            end.append(' ').append(p);
        }
        d.send(end.toString());
        String[] r = d.expect("RESULT", 60).split(" ");
        Report.Step s = new Report.Step();
        s.serverCpuMillis = cpuMillis(serverPid) + (transport.equals("cometd") ? cpuMillis(cometdPid) : 0) - serverCpu0;
        s.driverCpuMillis = cpuMillis(d.process.pid()) - driverCpu0;
        s.load = loadAverage();
        s.transport = transport;
        s.kind = kind;
        s.target = deliveriesPerSec;
        s.subscribers = subscriptions / 10;
        s.published = sent;
        s.publishRate = sent / publishSeconds;
        s.received = Long.parseLong(r[1]);
        s.lost = Long.parseLong(r[2]);
        s.dups = Long.parseLong(r[3]);
        s.dropped = Integer.parseInt(r[4]);
        long lastArrival = Long.parseLong(r[5]);
        double span = Math.max(publishSeconds, (lastArrival - startMicros) / 1e6);
        s.achieved = s.received / span;
        byte[] hist = Base64.getDecoder().decode(r[6]);
        s.histogram = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(hist), 0);
        log(String.format("  %s %s %,d/s: %,.0f deliveries/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, lost %d, dropped %d,"
                + " CPU µs/delivery server %.1f driver %.1f, load %.2f",
                warmup ? "(warm-up)" : kind, transport, deliveriesPerSec, s.achieved, s.p(50), s.p(99), s.p(99.9), s.lost,
                s.dropped, s.serverCpuPerDelivery(), s.driverCpuPerDelivery(), s.load));
        return s;
    }

    void idle(String transport) throws Exception {
        int target = Integer.parseInt(opt.getOrDefault("idle", quick ? "2000" : "19000"));
        if (outOfTime()) {
            report.notes.add("idle connections over " + transport + " skipped: out of time");
            return;
        }
        int perProcess = 9_500; // well under the 20,000 open files of a process
        int processes = (target + perProcess - 1) / perProcess;
        log("idle connections over " + transport + ": " + target + " from " + processes + " driver processes");
        // the sessions of the scenarios before must be gone: a closed SSE stream is noticed at its next heartbeat
        // (15 s), then the session lives on for its lifetime (10 s on the benchmark's server)
        int lingering = waitForSessions(90);
        if (lingering > 0) {
            report.notes.add("idle over " + transport + ": " + lingering + " sessions of earlier scenarios still open at the baseline");
        }
        long[] before = serverMemory();
        Report.Idle r = new Report.Idle();
        r.transport = transport;
        r.target = target;
        r.heapBefore = before[0];
        r.rssBefore = before[1];
        List<Proc> drivers = new ArrayList<>();
        try {
            int port = Integer.parseInt(base.replaceAll(".*:(\\d+).*", "$1"));
            for (int p = 0; p < processes; p++) {
                int count = Math.min(perProcess, target - p * perProcess);
                drivers.add(start("idle-" + transport + "-" + p, "io.halley.bench.IdleDriver", "384m", "--transport", transport,
                        "--port", Integer.toString(port), "--bind", "127.0.0." + (2 + p), "--count", Integer.toString(count),
                        "--offset", Integer.toString(p * perProcess), "--seconds", "150"));
            }
            for (Proc d : drivers) {
                String[] ready = d.expect("READY", 140).split(" ");
                r.open += Integer.parseInt(ready[1]);
                r.failed += Integer.parseInt(ready[2]);
            }
            log("  " + r.open + " open, " + r.failed + " failed; letting them idle 5 s");
            Thread.sleep(5_000);
            long[] after = serverMemory();
            r.heapAfter = after[0];
            r.rssAfter = after[1];
            int stillOpen = 0;
            for (Proc d : drivers) {
                d.send("STATUS");
                String[] st = d.expect("STATUS", 30).split(" ");
                stillOpen += Integer.parseInt(st[1]);
                r.dropped += Integer.parseInt(st[2]);
            }
            r.open = stillOpen;
            log(String.format("  heap %+,d KiB (%.2f KiB per connection), RSS %+,d KiB (%.2f KiB per connection), dropped %d",
                    r.heapAfter - r.heapBefore, r.heapPerConn(), r.rssAfter - r.rssBefore, r.rssPerConn(), r.dropped));
            for (Proc d : drivers) {
                d.send("QUIT");
                d.expect("BYE", 30);
            }
        } finally {
            drivers.forEach(Proc::close);
        }
        report.idle.add(r);
        // SSE and long-poll sessions outlive their connection by the session lifetime (the bench server sets it short)
    }

    /** Waits (at most {@code seconds}) until the server has no session left; returns how many are left. */
    int waitForSessions(int seconds) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long started = System.nanoTime();
        int count = -1;
        // the admin API needs the admin role (issue 4): the distribution's shipped operator; without it the answer is a
        // 401 that lists no session, and the baseline would silently include the sessions of the scenario before
        String admin = "Basic " + Base64.getEncoder().encodeToString(
                opt.getOrDefault("admin", "admin:admin").getBytes(StandardCharsets.UTF_8));
        while (true) {
            java.net.http.HttpResponse<String> r = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/halley/api/sessions")).header("Authorization", admin)
                    .timeout(java.time.Duration.ofSeconds(30)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("GET /halley/api/sessions answered " + r.statusCode() + ": " + r.body());
            }
            String body = r.body();
            count = 0;
            for (int i = body.indexOf("\"id\":"); i >= 0; i = body.indexOf("\"id\":", i + 1)) {
                count++;
            }
            if (count == 0 || System.nanoTime() > until) {
                break;
            }
            Thread.sleep(1000);
        }
        log(String.format("  %d sessions left on the server after %.0f s", count, (System.nanoTime() - started) / 1e9));
        return count;
    }

    // ---------------------------------------------------------------- server memory

    /** {heap used after a full GC, resident set}, both in KiB. */
    long[] serverMemory() throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        exec(jcmd, Long.toString(serverPid), "GC.run");
        exec(jcmd, Long.toString(serverPid), "GC.run");
        String info = exec(jcmd, Long.toString(serverPid), "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        long heap = m.find() ? Long.parseLong(m.group(1)) : -1;
        String status = Files.readString(Path.of("/proc/" + serverPid + "/status"));
        Matcher r = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
        long rss = r.find() ? Long.parseLong(r.group(1)) : -1;
        return new long[] {heap, rss};
    }

    // ---------------------------------------------------------------- processes

    Proc driver(String transport, int clients, int perClient, int offset, String name) throws IOException {
        List<String> args = new ArrayList<>(List.of("--transport", transport, "--base", base, "--clients",
                Integer.toString(clients), "--per-client", Integer.toString(perClient), "--offset", Integer.toString(offset)));
        if (transport.equals("stomp-ws")) {
            args.addAll(List.of("--stomp-ws", opt.get("stomp-ws")));
        }
        if (opt.containsKey("ws-client")) {
            args.addAll(List.of("--ws-client", opt.get("ws-client")));
        }
        if (transport.equals("cometd")) {
            // CometD's client is Jetty 12: bench/cometd's own classpath
            args.addAll(List.of("--cometd", opt.get("cometd")));
            return startOn(opt.get("cometd-cp"), name, "io.halley.bench.CometdDriver", "1g", args.toArray(String[]::new));
        }
        if (transport.equals("longpoll") && opt.containsKey("cometd-cp") && !"jdk".equals(opt.get("longpoll-client"))) {
            // the same Jetty 12 HttpClient as CometD's subscribers (--longpoll-client jdk: java.net.http instead)
            return startOn(opt.get("cometd-cp"), name, "io.halley.bench.CometdDriver", "1g", args.toArray(String[]::new));
        }
        return start(name, "io.halley.bench.Driver", "1g", args.toArray(String[]::new));
    }

    Proc start(String name, String main, String heap, String... args) throws IOException {
        return startOn(System.getProperty("java.class.path"), name, main, heap, args);
    }

    Proc startOn(String classpath, String name, String main, String heap, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseParallelGC"));
        if (opt.containsKey("driver-jfr")) {
            // profiling a driver (--driver-jfr <folder>): a recording per process, written when it exits
            cmd.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + Path.of(opt.get("driver-jfr")).resolve(name + ".jfr").toAbsolutePath());
        }
        cmd.addAll(List.of("-cp", classpath, main));
        cmd.addAll(List.of(args));
        Path logs = Path.of(opt.getOrDefault("logs", "target/logs"));
        Files.createDirectories(logs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(logs.resolve(name + ".log").toFile());
        return new Proc(name, pb.start());
    }

    /** A driver process, spoken to by lines; closing it kills it and its children. */
    final class Proc implements AutoCloseable {
        final String name;
        final Process process;
        final BufferedReader out;
        final PrintWriter in;

        Proc(String name, Process process) {
            this.name = name;
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        void send(String line) {
            in.println(line);
        }

        /** The next line that starts with {@code word}, waiting at most {@code seconds}. */
        String expect(String word, int seconds) throws Exception {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < until) {
                if (out.ready()) {
                    String line = out.readLine();
                    if (line == null) {
                        break;
                    }
                    if (line.startsWith(word)) {
                        return line;
                    }
                } else if (!process.isAlive()) {
                    break;
                } else {
                    Thread.sleep(10);
                }
            }
            throw new IOException(name + ": no " + word + " within " + seconds + " s (see its log)");
        }

        @Override
        public void close() {
            // asked first, so that it closes its connections and writes its recording (--driver-jfr); bounded
            try {
                if (process.isAlive()) {
                    send("QUIT");
                    process.waitFor(opt.containsKey("driver-jfr") ? 20 : 3, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return the CPU time (user and system, all threads) a process used so far, in ms; 0 when unknown */
    static long cpuMillis(long pid) {
        if (pid <= 0) {
            return 0;
        }
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(java.time.Duration::toMillis)
                .orElse(0L);
    }

    /** @return the machine's load average over the last minute */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static String exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return s;
    }

    static String memTotal() throws IOException {
        for (String l : Files.readAllLines(new File("/proc/meminfo").toPath())) {
            if (l.startsWith("MemTotal:")) {
                long kb = Long.parseLong(l.replaceAll("\\D", ""));
                return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
            }
        }
        return "?";
    }
}
