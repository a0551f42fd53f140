package io.halley.broker.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.junit.Test;

/** The shipped etc/io.halley.broker.cfg lists every property, with the annotation's default. */
public class DefaultCfgTest {

    @Test
    public void everyPropertyIsListedWithItsDefault() throws Exception {
        Properties file = new Properties();
        try (Reader reader = Files.newBufferedReader(Paths.get("src/main/cfg/io.halley.broker.cfg"))) {
            file.load(reader);
        }
        Map<String, Object> properties = new HashMap<>();
        file.forEach((key, value) -> properties.put((String) key, value));
        // Karaf substitutes it; the default "" means the same directory
        assertEquals("${karaf.data}/halley/broker", properties.remove("dataDirectory"));

        BrokerConfig fromFile = TestBrokers.config(properties);
        BrokerConfig defaults = TestBrokers.config(new HashMap<>());
        for (Method attribute : BrokerConfig.class.getDeclaredMethods()) {
            String name = attribute.getName();
            if (name.equals("dataDirectory")) {
                continue;
            }
            assertTrue(name + " is missing from the cfg file", file.containsKey(name));
            Object expected = attribute.invoke(defaults);
            Object actual = attribute.invoke(fromFile);
            if (expected instanceof String[]) {
                // a .cfg holds "" where the default is an empty list; the runner skips blanks
                assertEquals(name, Arrays.asList((String[]) expected),
                        Arrays.stream((String[]) actual).filter(s -> !s.isBlank()).toList());
            } else {
                assertEquals(name, expected, actual);
            }
        }
        assertEquals("every key in the file is a property", BrokerConfig.class.getDeclaredMethods().length,
                file.size());
    }
}
