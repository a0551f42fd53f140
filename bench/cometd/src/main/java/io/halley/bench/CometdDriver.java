package io.halley.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.cometd.bayeux.Channel;
import org.cometd.bayeux.client.ClientSessionChannel;
import org.cometd.client.BayeuxClient;
import org.cometd.client.http.jetty.JettyHttpClientTransport;
import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The load driver of {@link Driver}, with its transport "cometd": CometD 8's Java long-polling client
 * ({@link BayeuxClient} over {@link JettyHttpClientTransport}), one client per subscriber, all on one Jetty
 * HttpClient. The rest (steps, histograms, loss counting) is {@link Driver}'s.
 *
 * <p>It also drives Halley's long-polling ({@code --transport longpoll}) with the same Jetty HttpClient, so that
 * the two long-polling sides differ in their servers only.
 *
 * <p>{@code --cometd http://127.0.0.1:P/cometd} plus {@link Driver}'s arguments with {@code --transport cometd}
 * (or {@code longpoll}, without {@code --cometd}).
 */
public final class CometdDriver {

    public static void main(String[] args) throws Exception {
        Map<String, String> a = Bench.args(args);
        String url = a.get("cometd");
        int clients = Integer.parseInt(a.get("clients"));
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("cometd-client");
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        // a long poll holds a connection; subscribes and the handshake need others beside it
        http.setMaxConnectionsPerDestination(clients * 2 + 64);
        http.setMaxRequestsQueuedPerDestination(clients * 4 + 1024);
        http.start();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

        // Halley's long-polling on the same client as CometD's (Driver's "longpoll" transport, GETs only)
        Driver.pollClient = (uri, answer, failed) -> http.newRequest(uri).timeout(60, TimeUnit.SECONDS)
                .send(new BufferingResponseListener(4 * 1024 * 1024) {
                    @Override
                    public void onComplete(Result result) {
                        if (result.isFailed()) {
                            failed.accept(result.getFailure());
                        } else {
                            answer.accept(result.getResponse().getStatus(), getContentAsString(StandardCharsets.UTF_8));
                        }
                    }
                });

        Driver.external = sub -> {
            BayeuxClient client = new BayeuxClient(url, scheduler, new JettyHttpClientTransport(null, http));
            sub.onClose = client::disconnect;
            client.getChannel(Channel.META_CONNECT).addListener((ClientSessionChannel.MessageListener) (c, m) -> {
                if (!m.isSuccessful() && sub.ready) {
                    sub.lostConnection(new RuntimeException("/meta/connect failed: " + m));
                }
            });
            client.handshake(reply -> {
                if (!reply.isSuccessful()) {
                    sub.lostConnection(new RuntimeException("handshake failed: " + reply));
                    return;
                }
                AtomicInteger subscribed = new AtomicInteger();
                client.batch(() -> {
                    for (int ch : sub.chans) {
                        client.getChannel("/" + sub.channelName(ch).replace('.', '/')).subscribe((c, m) -> {
                            Map<String, Object> d = m.getDataAsMap();
                            if (d != null) {
                                sub.message(((Number) d.get("s")).intValue(), ((Number) d.get("c")).intValue(),
                                        ((Number) d.get("n")).longValue(), ((Number) d.get("t")).longValue());
                            }
                        }, r -> {
                            if (!r.isSuccessful()) {
                                sub.lostConnection(new RuntimeException("subscribe failed: " + r));
                            } else if (subscribed.incrementAndGet() == sub.chans.length) {
                                sub.handshakeDone(true);
                            }
                        });
                    }
                });
            });
        };
        Driver.main(args);
    }
}
