package io.halley.shell.internal;

import io.halley.api.ContentType;
import io.halley.api.HalleyException;
import io.halley.api.Identity;
import io.halley.api.Publisher;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;
import org.apache.karaf.shell.support.completers.StringsCompleter;

@Command(scope = "halley", name = "publish", description = "Publishes a message to a channel and prints its id.")
@Service
public class PublishCommand extends HalleyAction {

    static final Identity SHELL = Identity.system("shell");

    // Optional, so that the command stays visible and says why it cannot publish
    // while the broker is down, rather than vanishing from the shell.
    @Reference(optional = true)
    Publisher publisher;

    @Option(name = "-t", aliases = "--type", valueToShowInHelp = "auto",
            description = "How to read the body: json (refused unless valid JSON), text (delivered as a string),"
                    + " or auto (an object or array as JSON, anything else as a string)")
    @Completion(value = StringsCompleter.class, values = {"json", "text", "auto"})
    String type = "auto";

    @Argument(index = 0, name = "channel", required = true, description = "The channel, such as demo.news")
    @Completion(ChannelCompleter.class)
    String channel;

    @Argument(index = 1, name = "body", required = true,
            description = "The message body (quote it: '{\"text\":\"hello\"}')")
    String body;

    @Override
    public Object execute() throws Exception {
        ContentType contentType = contentType(type);
        Publisher p = publisher;
        if (p == null) {
            throw unavailable("the publisher (broker)");
        }
        try {
            // the operator at the console is trusted as Halley itself: no channel permission applies
            out.println(p.publish(SHELL, channel, body.getBytes(StandardCharsets.UTF_8), contentType));
        } catch (HalleyException e) {
            throw failure(e);
        }
        return null;
    }

    private static ContentType contentType(String type) throws CommandException {
        switch (type.toLowerCase(Locale.ROOT)) {
            case "json":
                return ContentType.JSON;
            case "text":
                return ContentType.TEXT;
            case "auto":
                return ContentType.AUTO;
            default:
                throw new CommandException("unknown type '" + type + "': use json, text or auto");
        }
    }
}
