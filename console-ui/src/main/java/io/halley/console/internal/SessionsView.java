package io.halley.console.internal;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.vaadin.navigator.View;
import com.vaadin.navigator.ViewChangeListener.ViewChangeEvent;
import com.vaadin.shared.ui.ValueChangeMode;
import com.vaadin.ui.Button;
import com.vaadin.ui.Grid;
import com.vaadin.ui.HorizontalLayout;
import com.vaadin.ui.Label;
import com.vaadin.ui.TextField;
import com.vaadin.ui.VerticalLayout;
import com.vaadin.ui.themes.ValoTheme;

import io.halley.api.CloseReason;
import io.halley.api.Hub;
import io.halley.api.Session;
import io.halley.api.SessionInfo;

/** The open sessions: who, over what, from where, since when, how much is queued; disconnect or close one. */
final class SessionsView extends VerticalLayout implements View, Refreshable {

    private final ConsoleUI ui;
    private final TextField filter = new TextField();
    private final Grid<SessionInfo> grid = new Grid<>();
    private final Label count = Widgets.text("sessions-count", "");
    private final Button disconnect = new Button("Disconnect (it resumes)");
    private final Button close = new Button("Close session");
    private final Label result = Widgets.text("sessions-result", "");
    private List<SessionInfo> shown = List.of();
    private String selectedId;

    SessionsView(ConsoleUI ui) {
        this.ui = ui;
        setWidthFull();
        filter.setId("sessions-filter");
        filter.setPlaceholder("filter: id, user, transport, address, channel");
        filter.setWidth("420px");
        filter.setValueChangeMode(ValueChangeMode.LAZY);
        filter.addValueChangeListener(e -> ui.act(this::refresh));

        grid.setId("sessions-grid");
        grid.addColumn(SessionInfo::id).setCaption("Session").setId("id").setWidth(230);
        grid.addColumn(SessionInfo::user).setCaption("User").setId("user");
        grid.addColumn(SessionInfo::transport).setCaption("Transport").setId("transport");
        grid.addColumn(SessionInfo::remoteAddress).setCaption("Remote address").setId("remote");
        grid.addColumn(s -> s.connected() ? "yes" : "no").setCaption("Connected").setId("connected");
        grid.addColumn(s -> Widgets.age(s.createdAt(), System.currentTimeMillis())).setCaption("Age").setId("age");
        grid.addColumn(SessionInfo::queued).setCaption("Queued").setId("queued");
        grid.addColumn(s -> String.join(", ", s.subscriptions())).setCaption("Subscriptions").setId("subscriptions");
        grid.setWidthFull();
        grid.setHeightByRows(12);
        grid.addSelectionListener(e -> {
            selectedId = e.getFirstSelectedItem().map(SessionInfo::id).orElse(null);
            buttons();
        });

        disconnect.setId("sessions-disconnect");
        disconnect.setDescription("Drops the connection; the client resumes its session with nothing lost");
        disconnect.addClickListener(e -> ui.act(() -> withSelected(s -> {
            boolean had = s.disconnect();
            Audit.log(ui.identity(), "session", "disconnected {}", s.id());
            notice(had ? "disconnected " + s.id() : s.id() + " had no connection");
        })));
        close.setId("sessions-close");
        close.addStyleName(ValoTheme.BUTTON_DANGER);
        close.setDescription("Ends the session: the client is told closed_by_admin and does not come back");
        close.addClickListener(e -> ui.act(() -> withSelected(s -> {
            s.close(CloseReason.CLOSED_BY_ADMIN);
            Audit.log(ui.identity(), "session", "closed {}", s.id());
            notice("closed " + s.id());
        })));
        buttons();

        addComponents(Widgets.heading("Sessions"), new HorizontalLayout(filter, count), grid,
                new HorizontalLayout(disconnect, close), result);
    }

    private void notice(String text) {
        result.setValue(text);
        refresh();
    }

    private void withSelected(java.util.function.Consumer<Session> action) {
        Hub hub = ui.console().hub();
        if (hub == null || selectedId == null) {
            throw new IllegalStateException("no session selected, or the hub is not running");
        }
        Optional<Session> s = hub.findSession(selectedId);
        if (s.isEmpty()) {
            throw new IllegalStateException("the session has ended already");
        }
        action.accept(s.get());
    }

    private void buttons() {
        disconnect.setEnabled(selectedId != null);
        close.setEnabled(selectedId != null);
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
            grid.setItems(List.of());
            shown = List.of();
            return;
        }
        String f = filter.getValue().trim().toLowerCase(Locale.ROOT);
        List<SessionInfo> all = hub.sessions();
        List<SessionInfo> list = all.stream().filter(s -> f.isEmpty() || matches(s, f)).toList();
        count.setValue(list.size() + " of " + all.size() + " sessions");
        if (list.equals(shown)) {
            return;
        }
        shown = list;
        String keep = selectedId;
        grid.setItems(list);
        list.stream().filter(s -> s.id().equals(keep)).findFirst().ifPresentOrElse(grid::select, () -> {
            selectedId = null;
            buttons();
        });
    }

    private static boolean matches(SessionInfo s, String f) {
        return s.id().toLowerCase(Locale.ROOT).contains(f) || s.user().toLowerCase(Locale.ROOT).contains(f)
                || s.transport().toLowerCase(Locale.ROOT).contains(f)
                || String.valueOf(s.remoteAddress()).toLowerCase(Locale.ROOT).contains(f)
                || s.subscriptions().stream().anyMatch(p -> p.toLowerCase(Locale.ROOT).contains(f));
    }
}
