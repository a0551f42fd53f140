package io.halley.metrics.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

import javax.management.MBeanServer;

import org.junit.After;
import org.junit.Test;
import org.osgi.util.converter.Converters;

import io.halley.api.BrokerStatus;
import io.halley.api.ChannelInfo;
import io.halley.api.Hub;

public class FiguresTest {

    private final MetricsServlet servlet = new MetricsServlet();

    private final Hub hub = Fakes.hub(
            List.of(Fakes.session("s1", "sse", true), Fakes.session("s2", "sse", true),
                    Fakes.session("s3", "websocket", true), Fakes.session("s4", "longpoll", false)),
            List.of(new ChannelInfo("a.b", 4, 10, 10, 0)),
            Map.of("messages.received", 10L, "messages.delivered", 40L, "errors.sse.invalid_channel", 2L,
                    "sessions.open", 4L));
    private final BrokerStatus broker = Fakes.broker(new BrokerStatus.Health("halley", true,
            List.of(new BrokerStatus.Connector("tcp", "tcp://127.0.0.1:61616", 2),
                    new BrokerStatus.Connector("stomp", "stomp://127.0.0.1:61613", 0)), 3, 1, 0, 12, 11));

    @After
    public void stop() {
        servlet.deactivate();
    }

    @Test
    public void prometheusTextCarriesEveryFigure() {
        String text = Figures.prometheus(hub, Fakes.authenticator(Map.of("auth.success.password", 5L,
                "auth.failure.password", 1L)), broker);
        for (String line : List.of(
                "halley_hub_up 1",
                "halley_sessions 4",
                "halley_sessions_connected 3",
                "halley_connections{transport=\"sse\"} 2",
                "halley_connections{transport=\"websocket\"} 1",
                "halley_channels 1",
                "# TYPE halley_hub_messages_received_total counter",
                "halley_hub_messages_received_total 10",
                "halley_hub_messages_delivered_total 40",
                "halley_hub_errors_sse_invalid_channel_total 2",
                "halley_auth_up 1",
                "halley_auth_success_password_total 5",
                "halley_auth_failure_password_total 1",
                "halley_broker_up 1",
                "halley_broker_memory_percent 3",
                "halley_broker_enqueued_total 12",
                "halley_broker_connections{connector=\"tcp\"} 2",
                "halley_broker_connections{connector=\"stomp\"} 0")) {
            assertTrue(line + " in\n" + text, text.lines().anyMatch(line::equals));
        }
        assertFalse("sessions.open is a gauge, shown as halley_sessions", text.contains("sessions_open"));
        // every non-comment line is NAME[{labels}] VALUE
        text.lines().filter(l -> !l.startsWith("#"))
                .forEach(l -> assertTrue(l, l.matches("[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? -?[0-9.]+")));
    }

    @Test
    public void absentPartsReportDownAndNothingElse() {
        String text = Figures.prometheus(null, null, null);
        assertEquals(List.of("halley_hub_up 0", "halley_auth_up 0", "halley_broker_up 0"),
                text.lines().filter(l -> !l.startsWith("#")).toList());
    }

    @Test
    public void theMBeansAnswerTheSameFigures() throws Exception {
        servlet.activate(Converters.standardConverter().convert(Map.of()).to(MetricsConfig.class));
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        // no services bound yet: the hub's MBean has no attributes, the broker's neither
        assertEquals(0, server.getMBeanInfo(MetricsServlet.objectName("Hub")).getAttributes().length);
        bind("hub", hub);
        bind("brokerStatus", broker);
        assertEquals(4L, server.getAttribute(MetricsServlet.objectName("Hub"), "sessions"));
        assertEquals(2L, server.getAttribute(MetricsServlet.objectName("Hub"), "connections.sse"));
        assertEquals(10L, server.getAttribute(MetricsServlet.objectName("Hub"), "messages.received"));
        assertEquals(1L, server.getAttribute(MetricsServlet.objectName("Broker"), "started"));
        assertEquals(2L, server.getAttribute(MetricsServlet.objectName("Broker"), "connections.tcp"));
        servlet.deactivate();
        assertFalse(server.isRegistered(MetricsServlet.objectName("Hub")));
        assertFalse(server.isRegistered(MetricsServlet.objectName("Broker")));
    }

    private void bind(String field, Object service) throws Exception {
        var f = MetricsServlet.class.getDeclaredField(field);
        f.setAccessible(true);
        f.set(servlet, service);
    }
}
