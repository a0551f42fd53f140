package io.halley.shell.internal;

import io.halley.api.AccessControl;
import io.halley.api.AclRule;
import io.halley.api.HalleyException;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;

@Command(scope = "halley", name = "acl-add",
        description = "Adds a channel permission rule, at once and durably, and prints its id."
                + " A deny wins over every grant whose channels it overlaps.")
@Service
public class AclAddCommand extends HalleyAction {

    @Reference(optional = true)
    AccessControl acl;

    @Option(name = "--deny", aliases = "-d", description = "Add a deny rather than a grant")
    boolean deny;

    @Argument(index = 0, name = "principal", required = true,
            description = "Whom it is about: anonymous, authenticated, everyone, user:NAME, role:NAME or key:NAME")
    @Completion(value = StringsCompleter.class,
            values = {"anonymous", "authenticated", "everyone", "user:", "role:", "key:"})
    String principal;

    @Argument(index = 1, name = "pattern", required = true,
            description = "A channel or pattern: demo.chat, demo.* (one segment), demo.> (one or more), > (all)")
    @Completion(ChannelCompleter.class)
    String pattern;

    @Argument(index = 2, name = "permissions", required = true,
            description = "Comma-separated: subscribe, publish, presence, history; or all")
    @Completion(value = StringsCompleter.class, values = {"subscribe", "publish", "presence", "history", "all"})
    String permissions;

    @Override
    public Object execute() throws Exception {
        AccessControl a = acl;
        if (a == null) {
            throw unavailable("the channel permissions (halley-acl)");
        }
        AclRule rule;
        try {
            rule = new AclRule(null, !deny, principal, pattern, AclRule.parsePermissions(permissions));
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage() + " (bad_request)");
        }
        AclRule stored;
        try {
            stored = a.add(rule);
        } catch (HalleyException e) {
            throw failure(e);
        }
        AUDIT.info("acl: added {} {} (by {})", stored.id(), stored, operator());
        out.println(stored.id());
        return null;
    }
}
