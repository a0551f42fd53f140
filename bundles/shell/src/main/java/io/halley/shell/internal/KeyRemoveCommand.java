package io.halley.shell.internal;

import io.halley.api.ApiKeys;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.CommandException;

@Command(scope = "halley", name = "key-remove",
        description = "Removes an API key: requests with it are refused from now on (unauthorized).")
@Service
public class KeyRemoveCommand extends HalleyAction {

    @Reference(optional = true)
    ApiKeys keys;

    @Argument(index = 0, name = "name", required = true, description = "The key's name, as halley:key-list shows it")
    String name;

    @Override
    public Object execute() throws Exception {
        ApiKeys k = keys;
        if (k == null) {
            throw unavailable("the API key store (feature halley-auth)");
        }
        if (!k.remove(name)) {
            throw new CommandException("no API key named '" + name + "' (not_found)");
        }
        out.println("removed the API key " + name);
        return null;
    }
}
