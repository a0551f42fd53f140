package io.halley.shell.internal;

import io.halley.api.AccessControl;
import io.halley.api.AclRule;
import io.halley.api.HalleyException;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

@Command(scope = "halley", name = "acl-remove", description = "Removes a channel permission rule, at once and durably.")
@Service
public class AclRemoveCommand extends HalleyAction {

    @Reference(optional = true)
    AccessControl acl;

    @Argument(index = 0, name = "id", required = true, description = "The rule's id, as halley:acl-list shows it")
    @Completion(AclIdCompleter.class)
    String id;

    @Override
    public Object execute() throws Exception {
        AccessControl a = acl;
        if (a == null) {
            throw unavailable("the channel permissions (halley-acl)");
        }
        AclRule rule = a.rule(id).orElse(null);
        boolean removed;
        try {
            removed = rule != null && a.remove(id);
        } catch (HalleyException e) {
            throw failure(e);
        }
        if (!removed) {
            throw new CommandException("no rule with id '" + id + "' (not_found)");
        }
        AUDIT.info("acl: removed {} {} (by {})", id, rule, operator());
        out.println("removed " + id + ": " + rule);
        return null;
    }
}
