package io.halley.console.internal;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import com.vaadin.navigator.View;
import com.vaadin.navigator.ViewChangeListener.ViewChangeEvent;
import com.vaadin.ui.Button;
import com.vaadin.ui.CheckBoxGroup;
import com.vaadin.ui.Grid;
import com.vaadin.ui.HorizontalLayout;
import com.vaadin.ui.Label;
import com.vaadin.ui.NativeSelect;
import com.vaadin.ui.TextField;
import com.vaadin.ui.VerticalLayout;
import com.vaadin.ui.themes.ValoTheme;

import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.AclRule;
import io.halley.api.ChannelName;
import io.halley.api.Permission;

/**
 * The channel permission rules: add, edit, remove, and "may X do Y on Z" with the rule
 * that decided. Changes go through the AccessControl service, which stores them and
 * re-checks live subscriptions at once.
 */
final class PermissionsView extends VerticalLayout implements View, Refreshable {

    private static final String ALLOW = "allow";
    private static final String DENY = "deny";

    private final ConsoleUI ui;
    private final Grid<AclRule> grid = new Grid<>();
    private final Label count = Widgets.text("rules-count", "");
    private final NativeSelect<String> effect = new NativeSelect<>("Effect");
    private final TextField principal = new TextField("Principal");
    private final TextField pattern = new TextField("Channel or pattern");
    private final CheckBoxGroup<Permission> permissions = new CheckBoxGroup<>("Permissions");
    private final Button save = new Button("Save changes");
    private final Button remove = new Button("Remove");
    private final Label result = Widgets.text("rule-result", "");
    private final TextField checkUser = new TextField("User");
    private final TextField checkChannel = new TextField("Channel or pattern");
    private final NativeSelect<Permission> checkPermission = new NativeSelect<>("Permission");
    private final Label checkResult = Widgets.text("check-result", "");
    private final Label checkNote = Widgets.text("check-note", "");
    private long shownRevision = Long.MIN_VALUE;
    private AclRule selected;

    PermissionsView(ConsoleUI ui) {
        this.ui = ui;
        setWidthFull();
        grid.setId("rules-grid");
        grid.addColumn(AclRule::id).setCaption("Id").setId("id").setWidth(150);
        grid.addColumn(r -> r.allow() ? ALLOW : DENY).setCaption("Effect").setId("effect").setWidth(90);
        grid.addColumn(AclRule::principal).setCaption("Principal").setId("principal");
        grid.addColumn(AclRule::pattern).setCaption("Channels").setId("pattern");
        grid.addColumn(AclRule::permissionsText).setCaption("Permissions").setId("permissions");
        grid.setWidthFull();
        grid.setHeightByRows(10);
        grid.addSelectionListener(e -> {
            if (!e.isUserOriginated()) {
                return;
            }
            ui.act(() -> {
                selected = e.getFirstSelectedItem().orElse(null);
                if (selected != null) {
                    effect.setValue(selected.allow() ? ALLOW : DENY);
                    principal.setValue(selected.principal());
                    pattern.setValue(selected.pattern());
                    permissions.setValue(selected.permissions());
                }
                buttons();
            });
        });

        effect.setId("rule-effect");
        effect.setItems(ALLOW, DENY);
        effect.setEmptySelectionAllowed(false);
        effect.setValue(ALLOW);
        principal.setId("rule-principal");
        principal.setPlaceholder("role:NAME, user:NAME, key:NAME, anonymous, authenticated, everyone");
        principal.setWidth("360px");
        pattern.setId("rule-pattern");
        pattern.setPlaceholder("news.>");
        permissions.setId("rule-permissions");
        permissions.setItems(Permission.values());
        permissions.setItemCaptionGenerator(Permission::code);
        permissions.addStyleName(ValoTheme.OPTIONGROUP_HORIZONTAL);

        Button add = new Button("Add rule", e -> ui.act(this::add));
        add.setId("rule-add");
        add.addStyleName(ValoTheme.BUTTON_PRIMARY);
        save.setId("rule-save");
        save.addClickListener(e -> ui.act(this::save));
        remove.setId("rule-remove");
        remove.addStyleName(ValoTheme.BUTTON_DANGER);
        remove.addClickListener(e -> ui.act(this::remove));
        Button clear = new Button("Clear", e -> ui.act(this::clear));
        clear.setId("rule-clear");
        buttons();

        checkUser.setId("check-user");
        checkUser.setPlaceholder("alice, user:alice, key:NAME, anonymous");
        checkUser.setWidth("260px");
        checkChannel.setId("check-channel");
        checkPermission.setId("check-permission");
        checkPermission.setItems(Permission.values());
        checkPermission.setItemCaptionGenerator(Permission::code);
        checkPermission.setEmptySelectionAllowed(false);
        checkPermission.setValue(Permission.SUBSCRIBE);
        Button check = new Button("Check", e -> ui.act(this::check));
        check.setId("check-button");

        HorizontalLayout form = new HorizontalLayout(effect, principal, pattern, permissions);
        HorizontalLayout checkForm = new HorizontalLayout(checkUser, checkChannel, checkPermission, check);
        checkForm.setComponentAlignment(check, com.vaadin.ui.Alignment.BOTTOM_LEFT);
        addComponents(Widgets.heading("Permissions"),
                Widgets.text(null, "A deny wins over any grant; with no grant the answer is no."),
                count, grid, form, new HorizontalLayout(add, save, remove, clear), result,
                Widgets.heading("May this user do this?"), checkForm, checkResult, checkNote);
    }

    private AccessControl acl() {
        AccessControl acl = ui.console().accessControl();
        if (acl == null) {
            throw new IllegalStateException("channel permissions are not running (feature halley-acl)");
        }
        return acl;
    }

    private AclRule fromForm(String id) {
        Set<Permission> chosen = permissions.getValue();
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("choose at least one permission");
        }
        return new AclRule(id, ALLOW.equals(effect.getValue()), principal.getValue().trim(),
                pattern.getValue().trim(), EnumSet.copyOf(chosen));
    }

    private void add() {
        AclRule stored = acl().add(fromForm(null));
        Audit.log(ui.identity(), "acl", "added {} {}", stored.id(), stored);
        result.setValue("added " + stored.id() + ": " + stored);
        selected = null;
        refresh();
        grid.select(stored);
        selected = stored;
        buttons();
    }

    private void save() {
        AclRule before = selected;
        if (before == null) {
            throw new IllegalStateException("select a rule to change");
        }
        AclRule rule = fromForm(before.id());
        if (!acl().update(rule)) {
            throw new IllegalStateException("rule " + before.id() + " is gone: someone removed it");
        }
        Audit.log(ui.identity(), "acl", "changed {} from {} to {}", before.id(), before, rule);
        result.setValue("changed " + before.id() + ": " + rule);
        selected = rule;
        refresh();
    }

    private void remove() {
        AclRule before = selected;
        if (before == null) {
            throw new IllegalStateException("select a rule to remove");
        }
        if (acl().remove(before.id())) {
            Audit.log(ui.identity(), "acl", "removed {} {}", before.id(), before);
            result.setValue("removed " + before.id() + ": " + before);
        } else {
            result.setValue(before.id() + " was gone already");
        }
        clear();
    }

    private void clear() {
        selected = null;
        grid.deselectAll();
        effect.setValue(ALLOW);
        principal.clear();
        pattern.clear();
        permissions.clear();
        buttons();
        refresh();
    }

    private void check() {
        String channel = ChannelName.requirePattern(checkChannel.getValue().trim());
        Subjects.Subject who = Subjects.resolve(checkUser.getValue(), ui.console().authenticator(),
                ui.console().apiKeys());
        AccessDecision d = acl().check(who.identity(), channel, checkPermission.getValue());
        String verdict = (d.allowed() ? "ALLOWED" : "DENIED") + ": " + who.identity() + " "
                + checkPermission.getValue().code() + " " + channel;
        checkResult.setValue(verdict + (d.rule() == null ? " (no rule decided: " + d.reason() + ")"
                : " by rule " + d.rule().id() + ": " + d.rule() + " (" + d.reason() + ")"));
        checkResult.setStyleName(d.allowed() ? "halley-good" : "halley-bad");
        checkNote.setValue(who.note());
    }

    private void buttons() {
        save.setEnabled(selected != null);
        remove.setEnabled(selected != null);
    }

    @Override
    public void enter(ViewChangeEvent event) {
        shownRevision = Long.MIN_VALUE;
        refresh();
    }

    @Override
    public void refresh() {
        AccessControl acl = ui.console().accessControl();
        if (acl == null) {
            count.setValue("channel permissions are not running (feature halley-acl)");
            return;
        }
        long revision = acl.revision();
        if (revision == shownRevision) {
            return;
        }
        shownRevision = revision;
        List<AclRule> rules = acl.rules();
        count.setValue(rules.size() + " rules");
        grid.setItems(rules);
        if (selected != null) {
            String id = selected.id();
            rules.stream().filter(r -> r.id().equals(id)).findFirst().ifPresentOrElse(r -> {
                grid.select(r);
                selected = r;
            }, () -> selected = null);
        }
        buttons();
    }
}
