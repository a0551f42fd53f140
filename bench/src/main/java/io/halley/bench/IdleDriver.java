package io.halley.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A load-driver process for the idle-connections scenario: plain java.nio SocketChannels, each bound to a source
 * address of its own (127.0.0.2, 127.0.0.3, ...: java.net.http cannot bind one), one selector thread. Each
 * connection subscribes to one channel, raw: an SSE {@code GET}, a WebSocket handshake with {@code connect} and
 * {@code subscribe} frames, or a long-poll {@code GET} followed by a waiting poll on its cursor. Then it only reads.
 *
 * <p>Prints {@code READY <open> <failed>} when every connection is subscribed or has failed (bounded in time), then
 * {@code STATUS <open> <dropped>} for each {@code STATUS} line on stdin; {@code QUIT} closes everything and exits.
 */
public final class IdleDriver {

    private static final int IN_FLIGHT = 400;

    private final String transport;
    private final String host;
    private final int port;
    private final Selector selector;
    private int open;
    private int failed;
    private int dropped;
    private int pending;

    private IdleDriver(String transport, String host, int port) throws IOException {
        this.transport = transport;
        this.host = host;
        this.port = port;
        this.selector = Selector.open();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Bench.args(args);
        IdleDriver d = new IdleDriver(a.get("transport"), a.getOrDefault("host", "127.0.0.1"),
                Integer.parseInt(a.get("port")));
        d.run(a.get("bind"), Integer.parseInt(a.get("count")), Integer.parseInt(a.getOrDefault("offset", "0")),
                Integer.parseInt(a.getOrDefault("seconds", "120")));
    }

    /** One connection's state. */
    private final class Conn {
        final String channel;
        final StringBuilder in = new StringBuilder();
        ByteBuffer out;
        boolean subscribed;
        boolean upgraded;
        boolean dead;

        Conn(String channel) {
            this.channel = channel;
        }
    }

    private void run(String bind, int count, int offset, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int started = 0;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        boolean readyPrinted = false;
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Thread commands = new Thread(() -> {
            try {
                String line;
                while ((line = stdin.readLine()) != null) {
                    String cmd = line.trim();
                    synchronized (this) {
                        if (cmd.equals("QUIT")) {
                            quit = true;
                        } else if (cmd.equals("STATUS")) {
                            status = true;
                        }
                    }
                    selector.wakeup();
                }
            } catch (IOException ignored) {
                // stdin closed
            }
            synchronized (this) {
                quit = true;
            }
            selector.wakeup();
        });
        commands.setDaemon(true);
        commands.start();

        while (System.nanoTime() < deadline) {
            while (started < count && pending < IN_FLIGHT) {
                SocketChannel ch = SocketChannel.open();
                try {
                    ch.bind(new InetSocketAddress(bind, 0));
                    ch.configureBlocking(false);
                    Conn c = new Conn("bench.idle.c" + ((offset + started) % 100));
                    ch.connect(new InetSocketAddress(host, port));
                    ch.register(selector, SelectionKey.OP_CONNECT, c);
                    pending++;
                } catch (IOException e) {
                    ch.close();
                    failed++;
                    if (failed < 5) {
                        System.err.println("connect failed: " + e);
                    }
                }
                started++;
            }
            if (!readyPrinted && started == count && pending == 0) {
                System.out.println("READY " + open + " " + failed);
                System.out.flush();
                readyPrinted = true;
            }
            synchronized (this) {
                if (quit) {
                    break;
                }
                if (status) {
                    status = false;
                    System.out.println("STATUS " + open + " " + dropped);
                    System.out.flush();
                }
            }
            selector.select(200);
            for (SelectionKey key : selector.selectedKeys()) {
                Conn c = (Conn) key.attachment();
                SocketChannel ch = (SocketChannel) key.channel();
                try {
                    if (key.isConnectable()) {
                        ch.finishConnect();
                        c.out = ByteBuffer.wrap(request(c).getBytes(StandardCharsets.ISO_8859_1));
                        key.interestOps(SelectionKey.OP_WRITE | SelectionKey.OP_READ);
                    }
                    if (key.isValid() && key.isWritable() && c.out != null) {
                        ch.write(c.out);
                        if (!c.out.hasRemaining()) {
                            c.out = null;
                            key.interestOps(SelectionKey.OP_READ);
                        }
                    }
                    if (key.isValid() && key.isReadable()) {
                        buf.clear();
                        int n = ch.read(buf);
                        if (n < 0) {
                            throw new IOException("closed by the server");
                        }
                        buf.flip();
                        String got = StandardCharsets.ISO_8859_1.decode(buf).toString();
                        onRead(c, got, key);
                    }
                } catch (IOException e) {
                    kill(c, key, e);
                }
            }
            selector.selectedKeys().clear();
        }
        if (!readyPrinted) {
            System.out.println("READY " + open + " " + (failed + pending + (count - started)));
            System.out.flush();
        }
        // QUIT (or the time bound): a WebSocket says goodbye with a close frame, so its session ends at once
        for (SelectionKey key : selector.keys()) {
            try {
                if (transport.equals("websocket") && ((Conn) key.attachment()).subscribed) {
                    ((SocketChannel) key.channel()).write(ByteBuffer.wrap(wsFrame("{\"type\":\"close\"}")));
                }
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        System.out.println("BYE " + open + " " + dropped);
        System.out.flush();
        System.exit(0);
    }

    private boolean quit;
    private boolean status;

    private String request(Conn c) {
        String hostHeader = "Host: " + host + ":" + port + "\r\n";
        return switch (transport) {
            case "sse" -> "GET /halley/sse?subscribe=" + c.channel + " HTTP/1.1\r\n" + hostHeader
                    + "Accept: text/event-stream\r\n\r\n";
            case "longpoll" -> "GET /halley/poll?subscribe=" + c.channel + "&timeout=0 HTTP/1.1\r\n" + hostHeader + "\r\n";
            case "websocket" -> {
                byte[] key = new byte[16];
                ThreadLocalRandom.current().nextBytes(key);
                yield "GET /halley/ws HTTP/1.1\r\n" + hostHeader + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n";
            }
            default -> throw new IllegalArgumentException(transport);
        };
    }

    private void onRead(Conn c, String got, SelectionKey key) throws IOException {
        if (c.subscribed && !transport.equals("longpoll")) {
            // idle: heartbeats only; look for a close
            if (got.contains("\"type\":\"close\"")) {
                throw new IOException("close frame: " + got);
            }
            return;
        }
        c.in.append(got);
        String s = c.in.toString();
        switch (transport) {
            case "sse" -> {
                if (s.startsWith("HTTP/1.1 ") && !s.startsWith("HTTP/1.1 200")) {
                    throw new IOException(s.lines().findFirst().orElse(s));
                }
                if (s.contains("event: connected")) {
                    subscribedNow(c);
                }
            }
            case "websocket" -> {
                if (!c.upgraded) {
                    int end = s.indexOf("\r\n\r\n");
                    if (end < 0) {
                        return;
                    }
                    if (!s.startsWith("HTTP/1.1 101")) {
                        throw new IOException(s.lines().findFirst().orElse(s));
                    }
                    c.upgraded = true;
                    c.in.delete(0, end + 4);
                    byte[] a = wsFrame("{\"type\":\"connect\"}");
                    byte[] b = wsFrame("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + c.channel + "\"}");
                    ByteBuffer out = ByteBuffer.allocate(a.length + b.length).put(a).put(b);
                    out.flip();
                    c.out = out;
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
                if (s.contains("\"ok\":true")) {
                    subscribedNow(c);
                } else if (s.contains("\"ok\":false") || s.contains("\"type\":\"error\"")) {
                    throw new IOException(s);
                }
            }
            case "longpoll" -> {
                String body = httpBody(s);
                if (body == null) {
                    return;
                }
                if (!s.startsWith("HTTP/1.1 200")) {
                    throw new IOException(s.lines().findFirst().orElse(s));
                }
                c.in.setLength(0);
                String cursor = Wire.field(body, "cursor");
                if (cursor == null || body.contains("\"close\":{")) {
                    throw new IOException("poll: " + body);
                }
                if (!c.subscribed) {
                    subscribedNow(c);
                }
                // wait for messages for as long as the server lets a poll wait
                c.out = ByteBuffer.wrap(("GET /halley/poll?cursor=" + cursor.replace(":", "%3A")
                        + "&timeout=110000 HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
            default -> throw new IllegalStateException();
        }
    }

    /** The body of a complete HTTP response in {@code s}, or null while it is incomplete. */
    private static String httpBody(String s) {
        int end = s.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String head = s.substring(0, end).toLowerCase();
        String rest = s.substring(end + 4);
        int cl = head.indexOf("content-length:");
        if (cl >= 0) {
            int len = (int) Wire.number(head.substring(cl + 15).trim(), 0);
            return rest.length() >= len ? rest.substring(0, len) : null;
        }
        if (head.contains("transfer-encoding: chunked")) {
            if (!rest.contains("\r\n0\r\n\r\n") && !rest.startsWith("0\r\n\r\n")) {
                return null;
            }
            StringBuilder body = new StringBuilder();
            int p = 0;
            while (true) {
                int eol = rest.indexOf("\r\n", p);
                int size = Integer.parseInt(rest.substring(p, eol).trim().split(";")[0], 16);
                if (size == 0) {
                    return body.toString();
                }
                body.append(rest, eol + 2, eol + 2 + size);
                p = eol + 2 + size + 2;
            }
        }
        return rest;
    }

    private void subscribedNow(Conn c) {
        c.subscribed = true;
        c.in.setLength(0);
        pending--;
        open++;
    }

    private void kill(Conn c, SelectionKey key, IOException e) {
        if (c.dead) {
            return;
        }
        c.dead = true;
        key.cancel();
        try {
            key.channel().close();
        } catch (IOException ignored) {
            // gone
        }
        if (c.subscribed) {
            open--;
            dropped++;
            if (dropped < 5) {
                System.err.println("dropped: " + e.getMessage());
            }
        } else {
            pending--;
            failed++;
            if (failed < 5) {
                System.err.println("failed: " + e.getMessage());
            }
        }
    }

    /** A masked client text frame (RFC 6455). */
    static byte[] wsFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        int header = payload.length < 126 ? 2 : 4;
        byte[] f = new byte[header + 4 + payload.length];
        f[0] = (byte) 0x81;
        if (payload.length < 126) {
            f[1] = (byte) (0x80 | payload.length);
        } else {
            f[1] = (byte) (0x80 | 126);
            f[2] = (byte) (payload.length >> 8);
            f[3] = (byte) payload.length;
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        System.arraycopy(mask, 0, f, header, 4);
        for (int i = 0; i < payload.length; i++) {
            f[header + 4 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return f;
    }
}
