package io.halley.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.Test;

import io.halley.api.ApiKeys;
import io.halley.api.Identity;

public class SubjectsTest {

    private final ApiKeys keys = new ApiKeys() {
        @Override
        public String create(String name, Set<String> roles) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean remove(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<KeyInfo> list() {
            return List.of(new KeyInfo("feed", Set.of("publisher"), 0));
        }
    };

    @Test
    public void usersGetTheirRolesFromTheRealm() {
        Subjects.Subject s = Subjects.resolve("user:opal", Fakes.realm(Map.of("opal", "pw,viewer")), keys);
        assertEquals(Identity.user("opal", Set.of("viewer")), s.identity());
        assertEquals(s.identity(), Subjects.resolve(" opal ", Fakes.realm(Map.of("opal", "pw,viewer")), keys).identity());
        Subjects.Subject unknown = Subjects.resolve("ghost", Fakes.realm(Map.of()), keys);
        assertEquals(Identity.user("ghost", Set.of()), unknown.identity());
        assertTrue(unknown.note(), unknown.note().contains("does not know"));
    }

    @Test
    public void keysAndAnonymous() {
        Subjects.Subject key = Subjects.resolve("key:feed", null, keys);
        assertEquals(Identity.Kind.KEY, key.identity().kind());
        assertEquals(Set.of("publisher"), key.identity().roles());
        assertTrue(Subjects.resolve("anonymous", null, null).identity().isAnonymous());
        assertThrows(IllegalArgumentException.class, () -> Subjects.resolve("key:", null, keys));
        assertThrows(IllegalArgumentException.class, () -> Subjects.resolve("user:", null, keys));
    }
}
