package io.halley.console.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.vaadin.navigator.View;
import com.vaadin.navigator.ViewChangeListener.ViewChangeEvent;
import com.vaadin.shared.ui.ContentMode;
import com.vaadin.ui.Grid;
import com.vaadin.ui.HorizontalLayout;
import com.vaadin.ui.Label;
import com.vaadin.ui.VerticalLayout;

import io.halley.api.Authenticator;
import io.halley.api.BrokerStatus;
import io.halley.api.Hub;
import io.halley.api.SessionInfo;

/** Live health: sessions, connections by transport, channels, message rates and their chart, the broker. */
final class DashboardView extends VerticalLayout implements View, Refreshable {

    private final ConsoleUI ui;
    private final Label sessions;
    private final Label connected;
    private final Label channels;
    private final Label in;
    private final Label out;
    private final Label transports = Widgets.text("dash-transports", "");
    private final Label chart = new Label("", ContentMode.HTML);
    private final Label broker = Widgets.text("dash-broker", "");
    private final Grid<BrokerStatus.Connector> connectors = new Grid<>();
    private final Label auth = Widgets.text("dash-auth", "");
    private final Grid<Map.Entry<String, Long>> counters = new Grid<>();
    private List<BrokerStatus.Connector> shownConnectors = List.of();
    private Map<String, Long> shownCounters = Map.of();

    DashboardView(ConsoleUI ui) {
        this.ui = ui;
        setWidthFull();
        HorizontalLayout tiles = new HorizontalLayout();
        sessions = Widgets.tile(tiles, "dash-sessions", "sessions");
        connected = Widgets.tile(tiles, "dash-connected", "connected now");
        channels = Widgets.tile(tiles, "dash-channels", "channels");
        in = Widgets.tile(tiles, "dash-in", "messages in / s");
        out = Widgets.tile(tiles, "dash-out", "messages out / s");

        // the chart is markup made here from numbers only (SvgChart), never from a user's text
        chart.setId("dash-chart");
        Label legend = new Label("<span style='color:" + SvgChart.IN_COLOR + "'>&#9632; in</span> &nbsp; "
                + "<span style='color:" + SvgChart.OUT_COLOR + "'>&#9632; out</span> (messages per second)",
                ContentMode.HTML);

        connectors.setId("dash-connectors");
        connectors.addColumn(BrokerStatus.Connector::name).setCaption("Connector");
        connectors.addColumn(BrokerStatus.Connector::uri).setCaption("Listens at");
        connectors.addColumn(BrokerStatus.Connector::connections).setCaption("Connections");
        connectors.setHeightByRows(3);
        connectors.setWidth("640px");

        counters.setId("dash-counters");
        counters.addColumn(Map.Entry::getKey).setCaption("Hub counter");
        counters.addColumn(Map.Entry::getValue).setCaption("Value");
        counters.setHeightByRows(8);
        counters.setWidth("640px");

        addComponents(Widgets.heading("Dashboard"), tiles,
                Widgets.text(null, "Connections by transport:"), transports, chart, legend,
                Widgets.heading("Broker"), broker, connectors,
                Widgets.heading("Authentication"), auth,
                Widgets.heading("Hub counters"), counters);
    }

    @Override
    public void enter(ViewChangeEvent event) {
        refresh();
    }

    @Override
    public void refresh() {
        ConsoleServlet console = ui.console();
        Hub hub = console.hub();
        if (hub == null) {
            sessions.setValue("–");
            connected.setValue("–");
            channels.setValue("–");
            transports.setValue("the hub is not running (feature halley-core)");
        } else {
            List<SessionInfo> all = hub.sessions();
            sessions.setValue(Integer.toString(all.size()));
            connected.setValue(Long.toString(all.stream().filter(SessionInfo::connected).count()));
            channels.setValue(Integer.toString(hub.channels().size()));
            Map<String, Long> byTransport = all.stream().filter(SessionInfo::connected)
                    .collect(Collectors.groupingBy(SessionInfo::transport, TreeMap::new, Collectors.counting()));
            transports.setValue(byTransport.isEmpty() ? "none connected"
                    : byTransport.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                            .collect(Collectors.joining(", ")));
            Map<String, Long> c = new TreeMap<>(hub.counters());
            if (!c.equals(shownCounters)) {
                shownCounters = c;
                counters.setItems(List.copyOf(c.entrySet()));
            }
        }
        RateHistory rates = console.rates();
        RateHistory.Point latest = rates.latest();
        in.setValue(Widgets.rate(latest.in()));
        out.setValue(Widgets.rate(latest.out()));
        int capacity = Math.max(10, console.config().chartSeconds());
        chart.setValue(SvgChart.render(rates.points(), capacity, 640, 180));

        BrokerStatus status = console.brokerStatus();
        if (status == null) {
            broker.setValue("no broker status: the embedded broker is not running (or Halley uses an external one)");
            broker.setStyleName("halley-bad");
            setConnectors(List.of());
        } else {
            BrokerStatus.Health h = status.health();
            broker.setValue(h.brokerName() + ": " + (h.started() ? "running" : "stopped") + " · memory "
                    + h.memoryPercent() + "% · store " + h.storePercent() + "% · temp " + h.tempPercent()
                    + "% · enqueued " + h.enqueued() + " · dequeued " + h.dequeued());
            broker.setStyleName(h.started() && h.memoryPercent() < 90 && h.storePercent() < 90
                    ? "halley-good" : "halley-bad");
            setConnectors(h.connectors());
        }

        Authenticator a = console.authenticator();
        auth.setValue(a == null ? "no authenticator (feature halley-auth)"
                : "realm " + a.realm() + " · " + a.counters().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(" · ")));
    }

    private void setConnectors(List<BrokerStatus.Connector> list) {
        if (!list.equals(shownConnectors)) {
            shownConnectors = list;
            connectors.setItems(list);
        }
    }
}
