package io.halley.shell.internal;

import io.halley.api.AccessControl;
import io.halley.api.AccessDecision;
import io.halley.api.ApiKeys;
import io.halley.api.Authenticator;
import io.halley.api.ChannelName;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Permission;
import io.halley.api.Subject;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;

@Command(scope = "halley", name = "acl-check",
        description = "Tells whether a user may do something on a channel or pattern, and which rule decides."
                + " A user's roles come from the realm (when it knows the user) and from --role.")
@Service
public class AclCheckCommand extends HalleyAction {

    @Reference(optional = true)
    AccessControl acl;

    @Reference(optional = true)
    Authenticator authenticator;

    @Reference(optional = true)
    ApiKeys apiKeys;

    @Option(name = "--role", aliases = "-r", multiValued = true,
            description = "A role the user has, in addition to the realm's (repeat for more)")
    List<String> roles;

    @Argument(index = 0, name = "user", required = true,
            description = "A user name (or user:NAME), key:NAME for an API key, or anonymous")
    @Completion(value = StringsCompleter.class, values = {"anonymous", "key:"})
    String user;

    @Argument(index = 1, name = "channel", required = true, description = "A channel or pattern, such as demo.chat or demo.>")
    @Completion(ChannelCompleter.class)
    String channel;

    @Argument(index = 2, name = "operation", required = true,
            description = "subscribe, publish, presence or history")
    @Completion(value = StringsCompleter.class, values = {"subscribe", "publish", "presence", "history"})
    String operation;

    @Override
    public Object execute() throws Exception {
        AccessControl a = acl;
        if (a == null) {
            throw unavailable("the channel permissions (halley-acl)");
        }
        Permission permission;
        try {
            permission = Permission.parse(operation);
            ChannelName.requirePattern(channel);
        } catch (IllegalArgumentException e) {
            throw new CommandException(e.getMessage() + " (bad_request)");
        } catch (HalleyException e) {
            throw failure(e);
        }
        Set<String> given = roles == null ? Set.of() : new TreeSet<>(roles);
        if (user.equals("anonymous") && !given.isEmpty()) {
            throw new CommandException("an anonymous client has no roles: drop --role (bad_request)");
        }
        boolean key = user.startsWith("key:");
        String name = name(key ? user.substring(4) : user.startsWith("user:") ? user.substring(5) : user);
        Subject subject;
        try {
            subject = Subject.resolve(user, given, authenticator, apiKeys);
        } catch (HalleyException e) {
            throw failure(e);
        }
        Identity who = subject.identity();
        String note = null;
        if (!subject.known() && key) {
            note = apiKeys == null ? "the API keys are not available: only the roles given count"
                    : "there is no API key named " + name + ": only the roles given count";
        } else if (!subject.known()) {
            note = authenticator == null ? "the authenticator (halley-auth) is not available: only the roles given count"
                    : "the realm does not know " + name + ": only the roles given count";
        }
        AccessDecision d = a.check(who, channel, permission);
        out.println(d.allowed() ? "ALLOWED" : "DENIED");
        out.println("rule:   " + (d.rule() == null ? "none" : d.rule().id() + " " + d.rule()));
        out.println("reason: " + d.reason());
        out.println("as:     " + who + (who.isAnonymous() ? "" : ", roles: "
                + (who.roles().isEmpty() ? "none" : String.join(", ", new TreeSet<>(who.roles())))));
        if (note != null) {
            out.println("note:   " + note);
        }
        return null;
    }

    private static String name(String name) throws CommandException {
        if (name.isEmpty()) {
            throw new CommandException("a name is required after the prefix (bad_request)");
        }
        return name;
    }
}
