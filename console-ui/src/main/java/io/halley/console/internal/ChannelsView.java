package io.halley.console.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.vaadin.navigator.View;
import com.vaadin.navigator.ViewChangeListener.ViewChangeEvent;
import com.vaadin.shared.ui.ValueChangeMode;
import com.vaadin.ui.Button;
import com.vaadin.ui.Grid;
import com.vaadin.ui.HorizontalLayout;
import com.vaadin.ui.Label;
import com.vaadin.ui.RadioButtonGroup;
import com.vaadin.ui.TextArea;
import com.vaadin.ui.TextField;
import com.vaadin.ui.VerticalLayout;
import com.vaadin.ui.themes.ValoTheme;

import io.halley.api.ChannelInfo;
import io.halley.api.ChannelName;
import io.halley.api.ContentType;
import io.halley.api.Hub;
import io.halley.api.Identity;
import io.halley.api.Message;
import io.halley.api.Publisher;
import io.halley.api.SessionInfo;

/**
 * The channels with their subscribers and rates; a channel's subscribers and the newest
 * messages its history holds; publish a test message.
 */
final class ChannelsView extends VerticalLayout implements View, Refreshable {

    /** A message published from this page. */
    record Sent(long time, String channel, String body, String id, String by) {
    }

    /** A channel as the grid shows it: the hub's figures and the rate since the last refresh. */
    record Row(ChannelInfo info, double rate) {
    }

    private static final int SENT_KEPT = 20;
    /** The most messages of a channel's history the page shows, the newest. */
    private static final int RECENT_SHOWN = 50;
    /** The most characters of a payload a cell shows: a message may be hundreds of KiB. */
    private static final int PAYLOAD_SHOWN = 500;

    private final ConsoleUI ui;
    private final TextField filter = new TextField();
    private final Grid<Row> grid = new Grid<>();
    private final Label count = Widgets.text("channels-count", "");
    private final Label subscribersCaption = Widgets.text("channels-subscribers-caption", "select a channel");
    private final Grid<SessionInfo> subscribers = new Grid<>();
    private final Label recentCaption = Widgets.text("channels-recent-caption", "");
    private final Grid<Message> recent = new Grid<>();
    private final TextField channel = new TextField("Channel");
    private final TextArea body = new TextArea("Message");
    private final RadioButtonGroup<ContentType> type = new RadioButtonGroup<>("Read it as");
    private final Label result = Widgets.text("publish-result", "");
    private final Grid<Sent> sentGrid = new Grid<>();
    private final Deque<Sent> sent = new ArrayDeque<>();
    private final Map<String, Long> lastMessages = new HashMap<>();
    private long lastTime;
    private List<Row> shown = List.of();
    private List<SessionInfo> shownSubscribers = List.of();
    private List<Message> shownRecent = List.of();
    private String selected;

    ChannelsView(ConsoleUI ui) {
        this.ui = ui;
        setWidthFull();
        filter.setId("channels-filter");
        filter.setPlaceholder("filter by name");
        filter.setWidth("320px");
        filter.setValueChangeMode(ValueChangeMode.LAZY);
        filter.addValueChangeListener(e -> ui.act(this::refresh));

        grid.setId("channels-grid");
        grid.addColumn(r -> r.info().name()).setCaption("Channel").setId("name");
        grid.addColumn(r -> r.info().subscribers()).setCaption("Subscribers").setId("subscribers");
        grid.addColumn(r -> r.info().messages()).setCaption("Messages").setId("messages");
        grid.addColumn(r -> Widgets.rate(r.rate())).setCaption("Messages / s").setId("rate");
        grid.addColumn(r -> r.info().lastOffset()).setCaption("Last offset").setId("offset");
        grid.addColumn(r -> Widgets.time(r.info().lastMessageAt())).setCaption("Last message").setId("last");
        grid.setWidthFull();
        grid.setHeightByRows(10);
        grid.addSelectionListener(e -> {
            if (!e.isUserOriginated()) {
                // the refresh putting the selection back
                return;
            }
            ui.act(() -> {
            selected = e.getFirstSelectedItem().map(r -> r.info().name()).orElse(null);
            if (selected != null) {
                channel.setValue(selected);
            }
            refreshSubscribers();
            refreshRecent();
            });
        });

        subscribers.setId("channels-subscribers");
        subscribers.addColumn(SessionInfo::id).setCaption("Session");
        subscribers.addColumn(SessionInfo::user).setCaption("User");
        subscribers.addColumn(SessionInfo::transport).setCaption("Transport");
        subscribers.addColumn(SessionInfo::remoteAddress).setCaption("Remote address");
        subscribers.addColumn(s -> String.join(", ", s.subscriptions())).setCaption("Through");
        subscribers.setWidthFull();
        subscribers.setHeightByRows(4);

        // the payload is what publishers sent: the grid's default renderer shows it as text, never as HTML
        recent.setId("channels-recent");
        recent.addColumn(Message::offset).setCaption("Offset").setId("offset").setWidth(100);
        recent.addColumn(m -> Widgets.time(m.timestamp())).setCaption("Time").setId("time").setWidth(100);
        recent.addColumn(Message::id).setCaption("Message id").setId("id").setWidth(340);
        recent.addColumn(m -> Widgets.abbreviate(m.payload(), PAYLOAD_SHOWN)).setCaption("Payload (JSON)")
                .setId("payload").setExpandRatio(1);
        recent.setWidthFull();
        recent.setHeightByRows(8);

        channel.setId("publish-channel");
        channel.setWidth("320px");
        body.setId("publish-body");
        body.setWidth("520px");
        body.setRows(3);
        body.setValue("{\"text\":\"hello from the console\"}");
        type.setId("publish-type");
        type.setItems(ContentType.JSON, ContentType.TEXT);
        type.setItemCaptionGenerator(t -> t.name().toLowerCase(Locale.ROOT));
        type.setValue(ContentType.JSON);
        type.addStyleName(ValoTheme.OPTIONGROUP_HORIZONTAL);
        Button publish = new Button("Publish", e -> ui.act(this::publish));
        publish.setId("publish-button");
        publish.addStyleName(ValoTheme.BUTTON_PRIMARY);

        sentGrid.setId("publish-log");
        sentGrid.addColumn(s -> Widgets.time(s.time())).setCaption("Time").setWidth(100);
        sentGrid.addColumn(Sent::channel).setCaption("Channel");
        sentGrid.addColumn(Sent::body).setCaption("Message").setId("body");
        sentGrid.addColumn(Sent::id).setCaption("Message id");
        sentGrid.addColumn(Sent::by).setCaption("As");
        sentGrid.setWidthFull();
        sentGrid.setHeightByRows(4);

        addComponents(Widgets.heading("Channels"), new HorizontalLayout(filter, count), grid,
                subscribersCaption, subscribers, recentCaption, recent,
                Widgets.heading("Publish a test message"),
                Widgets.text(null, "Published through the broker like any message, as you: the channel's rules apply."),
                new HorizontalLayout(channel, type), body, publish, result, sentGrid);
    }

    private void publish() {
        Publisher publisher = ui.console().publisher();
        if (publisher == null) {
            throw new IllegalStateException("the broker is not reachable: nothing can publish now");
        }
        String name = ChannelName.requireChannel(channel.getValue().trim());
        Identity who = ui.identity();
        String text = body.getValue();
        String id = publisher.publish(who, name, text.getBytes(StandardCharsets.UTF_8), type.getValue());
        Audit.log(who, "publish", "published {} to {} ({} bytes)", id, name,
                text.getBytes(StandardCharsets.UTF_8).length);
        result.setValue("published " + id + " to " + name);
        sent.addFirst(new Sent(System.currentTimeMillis(), name, text, id, who.toString()));
        while (sent.size() > SENT_KEPT) {
            sent.removeLast();
        }
        sentGrid.setItems(List.copyOf(sent));
        if (name.equals(selected)) {
            // the hub has it once the broker delivered it: at once, or at the next refresh
            refreshRecent();
        }
    }

    @Override
    public void enter(ViewChangeEvent event) {
        refresh();
    }

    @Override
    public void refresh() {
        Hub hub = ui.console().hub();
        if (hub == null) {
            count.setValue("the hub is not running (feature halley-core)");
            return;
        }
        long now = System.currentTimeMillis();
        double seconds = lastTime == 0 ? 0 : (now - lastTime) / 1000.0;
        String f = filter.getValue().trim().toLowerCase(Locale.ROOT);
        List<ChannelInfo> all = hub.channels();
        List<Row> rows = all.stream()
                .filter(c -> f.isEmpty() || c.name().toLowerCase(Locale.ROOT).contains(f))
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .map(c -> {
                    Long before = lastMessages.get(c.name());
                    double rate = seconds <= 0 || before == null || c.messages() < before ? 0
                            : (c.messages() - before) / seconds;
                    return new Row(c, rate);
                }).toList();
        lastMessages.clear();
        all.forEach(c -> lastMessages.put(c.name(), c.messages()));
        lastTime = now;
        count.setValue(rows.size() + " of " + all.size() + " channels");
        if (!rows.equals(shown)) {
            shown = rows;
            String keep = selected;
            grid.setItems(rows);
            rows.stream().filter(r -> r.info().name().equals(keep)).findFirst().ifPresent(grid::select);
            selected = keep;
        }
        refreshSubscribers();
        refreshRecent();
    }

    /** The newest messages of the selected channel's history, the newest first. */
    private void refreshRecent() {
        Hub hub = ui.console().hub();
        String name = selected;
        List<Message> list;
        if (hub == null || name == null) {
            recentCaption.setValue("select a channel to see its recent messages");
            list = List.of();
        } else {
            list = new ArrayList<>(hub.recentMessages(name, RECENT_SHOWN));
            Collections.reverse(list);
            recentCaption.setValue("Recent messages of " + name + " (the newest " + RECENT_SHOWN
                    + " its history holds, newest first): " + list.size());
        }
        if (!list.equals(shownRecent)) {
            shownRecent = List.copyOf(list);
            recent.setItems(shownRecent);
        }
    }

    private void refreshSubscribers() {
        Hub hub = ui.console().hub();
        String name = selected;
        if (hub == null || name == null) {
            subscribersCaption.setValue("select a channel to see its subscribers");
            if (!shownSubscribers.isEmpty()) {
                shownSubscribers = List.of();
                subscribers.setItems(shownSubscribers);
            }
            return;
        }
        List<SessionInfo> list = hub.sessions().stream()
                .filter(s -> s.subscriptions().stream().anyMatch(p -> ChannelName.matches(p, name))).toList();
        subscribersCaption.setValue("Subscribers of " + name + ": " + list.size());
        if (!list.equals(shownSubscribers)) {
            shownSubscribers = list;
            subscribers.setItems(list);
        }
    }
}
