package io.halley.shell.internal;

import io.halley.api.ApiKeys;
import io.halley.api.HalleyException;

import java.util.LinkedHashSet;
import java.util.List;

import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;

@Command(scope = "halley", name = "key-create",
        description = "Creates an API key for an HTTP publisher (replacing any of that name) and prints it once: "
                + "only its hash is kept. Rules name it key:NAME.")
@Service
public class KeyCreateCommand extends HalleyAction {

    @Reference(optional = true)
    ApiKeys keys;

    @Argument(index = 0, name = "name", required = true,
            description = "The key's name: 1 to 64 letters, digits or -_. characters")
    String name;

    @Argument(index = 1, name = "roles", multiValued = true, description = "The key's roles")
    List<String> roles;

    @Override
    public Object execute() throws Exception {
        ApiKeys k = keys;
        if (k == null) {
            throw unavailable("the API key store (feature halley-auth)");
        }
        String key;
        try {
            key = k.create(name, roles == null ? new LinkedHashSet<>() : new LinkedHashSet<>(roles));
        } catch (HalleyException e) {
            throw failure(e);
        }
        out.println(key);
        out.println("This is the only time the key is shown: store it now (Authorization: Bearer <key>).");
        return null;
    }
}
