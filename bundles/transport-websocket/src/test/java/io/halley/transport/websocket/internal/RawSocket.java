package io.halley.transport.websocket.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket spoken by hand, for what no client library will send: text frames
 * that are not UTF-8.
 */
final class RawSocket implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawSocket(int port, String path) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) (WsClient.WAIT_SECONDS * 1000));
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("no upgrade: " + status);
        }
        while (!readLine().isEmpty()) {
            // skip the headers
        }
    }

    /** Sends one masked text frame with these bytes, whatever they are. */
    void sendText(byte[] payload) throws IOException {
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] mask = {1, 2, 3, 4};
        out.write(0x81);
        out.write(0x80 | payload.length);
        out.write(mask);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ mask[i % 4]);
        }
        out.flush();
    }

    /** @return the code of the server's close frame, skipping the frames before it */
    int awaitClose() throws IOException {
        while (true) {
            int opcode = readFrame();
            if (opcode == 0x8) {
                return lastPayload.length < 2 ? 1005 : ((lastPayload[0] & 0xff) << 8) | (lastPayload[1] & 0xff);
            }
        }
    }

    /** @return the next text message (unfragmented, as this server sends them) */
    String nextText() throws IOException {
        int opcode = readFrame();
        if (opcode != 0x1) {
            throw new IOException("not a text frame: opcode " + opcode);
        }
        return new String(lastPayload, StandardCharsets.UTF_8);
    }

    private byte[] lastPayload;

    private int readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        lastPayload = new byte[(int) len];
        in.readFully(lastPayload);
        return b0 & 0x0f;
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
