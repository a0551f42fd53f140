package io.halley.itests;

import org.apache.activemq.ActiveMQSslConnectionFactory;
import org.apache.activemq.transport.stomp.StompConnection;
import org.apache.activemq.transport.stomp.StompFrame;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import javax.jms.Connection;
import javax.jms.MessageConsumer;
import javax.jms.Session;
import javax.jms.TextMessage;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;

/**
 * The distribution with TLS on every way in, configured as an operator would in
 * etc/org.ops4j.pax.web.cfg and etc/io.halley.broker.cfg: a browser's Server-Sent Events
 * and an HTTP publisher over https://, a JMS client over ssl:// and a STOMP client over
 * stomp+ssl:// all reach each other, each trusting the server's certificate (made by the
 * JDK's keytool for 127.0.0.1) and checking the host name.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TlsTest extends HalleyTestSupport {

    private static final long WAIT = 20_000;
    private static final String PASSWORD = "changeit";

    /** Runs on the host while Pax Exam configures the container: the stores are made here, read there by path. */
    @Override
    protected Option[] moreOptions() {
        Path keyStore;
        Path trustStore;
        try {
            Path directory = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "tls-");
            keyStore = directory.resolve("halley.p12");
            trustStore = directory.resolve("trust.p12");
            Path certificate = directory.resolve("halley.crt");
            keytool("-genkeypair", "-alias", "halley", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                    "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool("-exportcert", "-alias", "halley", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                    "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", "halley", "-file", certificate.toString(),
                    "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", PASSWORD);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String web = "etc/org.ops4j.pax.web.cfg";
        String broker = "etc/io.halley.broker.cfg";
        return new Option[] {
            editConfigurationFilePut(web, "org.osgi.service.http.secure.enabled", "true"),
            editConfigurationFilePut(web, "org.osgi.service.http.port.secure", freePort()),
            editConfigurationFilePut(web, "org.ops4j.pax.web.ssl.keystore", keyStore.toString()),
            editConfigurationFilePut(web, "org.ops4j.pax.web.ssl.keystore.type", "PKCS12"),
            editConfigurationFilePut(web, "org.ops4j.pax.web.ssl.keystore.password", PASSWORD),
            editConfigurationFilePut(web, "org.ops4j.pax.web.ssl.key.password", PASSWORD),
            editConfigurationFilePut(broker, "sslPort", freePort()),
            editConfigurationFilePut(broker, "stompSslPort", freePort()),
            editConfigurationFilePut(broker, "keyStore", keyStore.toString()),
            editConfigurationFilePut(broker, "keyStorePassword", PASSWORD),
            // the broker does not ask for client certificates; the trust store is named here for the
            // test inside the container to find
            editConfigurationFilePut(broker, "trustStore", trustStore.toString()),
            editConfigurationFilePut(broker, "trustStorePassword", PASSWORD),
        };
    }

    @Test
    public void httpsSslAndStompSslCarryChannelMessagesToEachOther() throws Exception {
        Path trustStore = Path.of(String.valueOf(config("io.halley.broker", "trustStore")));
        SSLContext tls = trusting(trustStore);
        int httpsPort = Integer.parseInt(String.valueOf(config("org.ops4j.pax.web", "org.osgi.service.http.port.secure")));
        int sslPort = Integer.parseInt(String.valueOf(config("io.halley.broker", "sslPort")));
        int stompSslPort = Integer.parseInt(String.valueOf(config("io.halley.broker", "stompSslPort")));
        HttpClient https = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
        URI base = URI.create("https://127.0.0.1:" + httpsPort);
        waitFor("the HTTPS connector", 60_000, () -> {
            try {
                return https.send(HttpRequest.newBuilder(base.resolve("/halley/api/channels"))
                        .header("Authorization", ADMIN).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });

        String channel = "it.tls";
        List<Object> expected = new ArrayList<>();
        ActiveMQSslConnectionFactory factory = new ActiveMQSslConnectionFactory("ssl://127.0.0.1:" + sslPort);
        factory.setTrustStore(trustStore.toString());
        factory.setTrustStorePassword(PASSWORD);
        factory.setTrustStoreType("PKCS12");
        Connection jms = factory.createConnection();
        StompConnection stomp = new StompConnection();
        try (SseStream stream = new SseStream(https, base.resolve("/halley/sse?subscribe=" + channel), Map.of())) {
            assertEquals(200, stream.response().statusCode());
            assertEquals("connected", stream.next(WAIT).event());
            jms.start();
            Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = session.createConsumer(session.createTopic(channel));

            // HTTPS publish
            HttpResponse<String> published = https.send(HttpRequest.newBuilder(
                    base.resolve("/halley/api/channels/" + channel + "/messages"))
                    .header("Authorization", ADMIN).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"via\":\"https\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(published.body(), 202, published.statusCode());
            expected.add(Json.parse("{\"via\":\"https\"}"));

            // JMS over ssl://
            session.createProducer(session.createTopic(channel))
                    .send(session.createTextMessage("{\"via\":\"ssl\"}"));
            expected.add(Json.parse("{\"via\":\"ssl\"}"));

            // STOMP over stomp+ssl://, waiting for the receipt
            stomp.open(connect(tls, stompSslPort));
            stomp.sendFrame("CONNECT\naccept-version:1.2\nhost:localhost\n\n\u0000");
            assertEquals("CONNECTED", stomp.receive(WAIT).getAction());
            stomp.sendFrame("SEND\ndestination:/topic/" + channel
                    + "\ncontent-type:application/json\nreceipt:r1\n\n{\"via\":\"stomp+ssl\"}\u0000");
            StompFrame receipt = stomp.receive(WAIT);
            assertEquals(receipt.toString(), "RECEIPT", receipt.getAction());
            expected.add(Json.parse("{\"via\":\"stomp+ssl\"}"));

            List<SseStream.Event> events = stream.messages(expected.size(), WAIT);
            for (int i = 0; i < expected.size(); i++) {
                Map<String, Object> frame = events.get(i).json();
                assertEquals(channel, frame.get("channel"));
                assertEquals("message " + (i + 1), expected.get(i), frame.get("data"));
            }
            // the JMS subscriber over ssl:// got the JMS and STOMP messages too, in the same order
            List<Object> overSsl = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                javax.jms.Message m = consumer.receive(WAIT);
                assertNotNull("message " + (i + 1) + " over ssl://", m);
                if (m instanceof TextMessage) {
                    overSsl.add(Json.parse(((TextMessage) m).getText()));
                } else if (m instanceof javax.jms.BytesMessage) {
                    javax.jms.BytesMessage bytes = (javax.jms.BytesMessage) m;
                    byte[] body = new byte[(int) bytes.getBodyLength()];
                    bytes.readBytes(body);
                    overSsl.add(Json.parse(new String(body, StandardCharsets.UTF_8)));
                }
            }
            assertEquals(expected, overSsl);
        } finally {
            try {
                stomp.close();
            } catch (Exception ignored) {
                // never opened
            }
            jms.close();
        }
    }

    private static SSLContext trusting(Path trustStore) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(trustStore)) {
            trusted.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static SSLSocket connect(SSLContext tls, int port) throws IOException {
        SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("keytool " + arguments[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool ran", e);
        } finally {
            process.destroy();
        }
    }
}
