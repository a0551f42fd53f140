package io.halley.console.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import com.vaadin.navigator.View;
import com.vaadin.navigator.ViewChangeListener.ViewChangeEvent;
import com.vaadin.ui.Alignment;
import com.vaadin.ui.Button;
import com.vaadin.ui.Grid;
import com.vaadin.ui.HorizontalLayout;
import com.vaadin.ui.Label;
import com.vaadin.ui.TextField;
import com.vaadin.ui.VerticalLayout;

import io.halley.api.ApiKeys;
import io.halley.api.Authenticator;
import io.halley.api.Identity;

/**
 * Who checks passwords: the active realm, whether it answers, a user's roles, the
 * authentication counters and the API keys. Read-only.
 */
final class RealmView extends VerticalLayout implements View, Refreshable {

    private final ConsoleUI ui;
    private final Label realm = Widgets.text("realm-name", "");
    private final Label health = Widgets.text("realm-health", "");
    private final TextField user = new TextField("User");
    private final Label lookupResult = Widgets.text("realm-result", "");
    private final Grid<Map.Entry<String, Long>> counters = new Grid<>();
    private final Grid<ApiKeys.KeyInfo> keys = new Grid<>();
    private Map<String, Long> shownCounters = Map.of();

    RealmView(ConsoleUI ui) {
        this.ui = ui;
        setWidthFull();
        user.setId("realm-user");
        Button lookup = new Button("Look up", e -> ui.act(this::lookup));
        lookup.setId("realm-lookup");
        Button probe = new Button("Check the realm now", e -> ui.act(this::probe));
        probe.setId("realm-probe");
        HorizontalLayout form = new HorizontalLayout(user, lookup);
        form.setComponentAlignment(lookup, Alignment.BOTTOM_LEFT);

        counters.setId("realm-counters");
        counters.addColumn(Map.Entry::getKey).setCaption("Counter");
        counters.addColumn(Map.Entry::getValue).setCaption("Value");
        counters.setHeightByRows(6);
        counters.setWidth("520px");

        keys.setId("realm-keys");
        keys.addColumn(ApiKeys.KeyInfo::name).setCaption("API key");
        keys.addColumn(k -> String.join(", ", new TreeSet<>(k.roles()))).setCaption("Roles");
        keys.addColumn(k -> Widgets.time(k.createdAt())).setCaption("Created");
        keys.setHeightByRows(4);
        keys.setWidth("520px");

        addComponents(Widgets.heading("Realm"), realm, health, probe,
                Widgets.heading("Look up a user"), form, lookupResult,
                Widgets.heading("Authentication counters"), counters,
                Widgets.heading("API keys"), keys);
    }

    private Authenticator authenticator() {
        Authenticator a = ui.console().authenticator();
        if (a == null) {
            throw new IllegalStateException("no authenticator is running (feature halley-auth)");
        }
        return a;
    }

    private void lookup() {
        String name = user.getValue().trim();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("type a user name");
        }
        Authenticator a = authenticator();
        Optional<Identity> found = a.lookup(name);
        lookupResult.setValue(found.map(i -> name + ": roles " + new TreeSet<>(i.roles()))
                .orElse(name + ": not found in realm " + a.realm() + " (or the realm cannot be searched now)"));
    }

    /**
     * Whether the realm answers: looks up the operator's own user, who logged in through
     * it and so must be found while it works.
     */
    private void probe() {
        Authenticator a = authenticator();
        long start = System.nanoTime();
        Optional<Identity> me = a.lookup(ui.identity().name());
        long ms = (System.nanoTime() - start) / 1_000_000;
        health.setValue(me.isPresent() ? "answers: found " + ui.identity().name() + " in " + ms + " ms"
                : "does not answer: " + ui.identity().name() + " not found after " + ms + " ms");
        health.setStyleName(me.isPresent() ? "halley-good" : "halley-bad");
    }

    @Override
    public void enter(ViewChangeEvent event) {
        if (ui.console().authenticator() != null) {
            probe();
        }
        refresh();
    }

    @Override
    public void refresh() {
        Authenticator a = ui.console().authenticator();
        if (a == null) {
            realm.setValue("no authenticator is running (feature halley-auth)");
            return;
        }
        realm.setValue("Passwords are checked by the JAAS realm " + a.realm());
        Map<String, Long> c = new TreeMap<>(a.counters());
        if (!c.equals(shownCounters)) {
            shownCounters = c;
            counters.setItems(List.copyOf(c.entrySet()));
        }
        ApiKeys k = ui.console().apiKeys();
        if (k != null && keys.getDataCommunicator().getDataProviderSize() != k.list().size()) {
            keys.setItems(k.list());
        }
    }
}
