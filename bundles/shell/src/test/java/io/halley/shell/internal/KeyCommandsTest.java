package io.halley.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.halley.api.ApiKeys;
import io.halley.api.ErrorCode;
import io.halley.api.HalleyException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;

/** halley:key-create, key-list and key-remove over an in-memory key store. */
public class KeyCommandsTest {

    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    /** Refuses what the real store refuses in these tests. */
    private static final class MemoryKeys implements ApiKeys {
        final Map<String, KeyInfo> keys = new TreeMap<>();

        @Override
        public String create(String name, Set<String> roles) {
            if (name.contains(" ")) {
                throw new HalleyException(ErrorCode.BAD_REQUEST, "a key name is 1 to 64 letters, digits or -_. characters");
            }
            keys.put(name, new KeyInfo(name, roles, 1_700_000_000_000L));
            return "hk_" + name + "_" + "x".repeat(43);
        }

        @Override
        public boolean remove(String name) {
            return keys.remove(name) != null;
        }

        @Override
        public List<KeyInfo> list() {
            return new ArrayList<>(keys.values());
        }
    }

    private <A extends HalleyAction> A capture(A action) {
        action.out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        return action;
    }

    private String output() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    public void createPrintsTheKeyOnceWithAWarning() throws Exception {
        MemoryKeys keys = new MemoryKeys();
        KeyCreateCommand c = capture(new KeyCreateCommand());
        c.keys = keys;
        c.name = "billing";
        c.roles = List.of("publisher", "billing");
        c.execute();
        String[] lines = output().split("\n");
        assertEquals("hk_billing_" + "x".repeat(43), lines[0]);
        assertTrue(lines[1].contains("only time"));
        assertEquals(Set.of("publisher", "billing"), keys.keys.get("billing").roles());
    }

    @Test
    public void createWithoutRolesAndRefusals() throws Exception {
        MemoryKeys keys = new MemoryKeys();
        KeyCreateCommand c = capture(new KeyCreateCommand());
        c.keys = keys;
        c.name = "plain";
        c.execute();
        assertEquals(Set.of(), keys.keys.get("plain").roles());
        KeyCreateCommand bad = capture(new KeyCreateCommand());
        bad.keys = keys;
        bad.name = "has space";
        try {
            bad.execute();
            fail("created");
        } catch (CommandException e) {
            assertTrue(e.getMessage(), e.getMessage().endsWith("(bad_request)"));
        }
        KeyCreateCommand none = capture(new KeyCreateCommand());
        none.name = "x";
        try {
            none.execute();
            fail("created without a store");
        } catch (CommandException e) {
            assertTrue(e.getMessage().contains("unavailable"));
        }
    }

    @Test
    public void listShowsNamesRolesAndTimesButNoKeys() throws Exception {
        MemoryKeys keys = new MemoryKeys();
        keys.create("billing", Set.of("publisher"));
        KeyListCommand l = capture(new KeyListCommand());
        l.keys = keys;
        l.noFormat = true;
        l.execute();
        String out = output();
        assertTrue(out, out.contains("billing"));
        assertTrue(out, out.contains("publisher"));
        assertTrue(out, out.contains("2023-11-14T22:13:20Z"));
        assertFalse(out, out.contains("hk_"));
    }

    @Test
    public void removeSaysWhetherThereWasAKey() throws Exception {
        MemoryKeys keys = new MemoryKeys();
        keys.create("billing", Set.of());
        KeyRemoveCommand r = capture(new KeyRemoveCommand());
        r.keys = keys;
        r.name = "billing";
        r.execute();
        assertTrue(output().contains("removed the API key billing"));
        KeyRemoveCommand again = capture(new KeyRemoveCommand());
        again.keys = keys;
        again.name = "billing";
        try {
            again.execute();
            fail("removed twice");
        } catch (CommandException e) {
            assertTrue(e.getMessage().contains("not_found"));
        }
    }
}
