package io.halley.console.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

import io.halley.api.Authenticator;

public class GatekeeperTest {

    private final Authenticator realm = Fakes.realm(Map.of(
            "admin", "secret,halley-admin,viewer",
            "opal", "opalpw,viewer",
            "slow", "down,halley-admin"));

    @Test
    public void anAdminGetsIn() {
        Gatekeeper.Outcome o = Gatekeeper.login(realm, "admin", "secret", "halley-admin");
        assertTrue(o.admitted());
        assertEquals("user:admin", o.identity().toString());
    }

    @Test
    public void wrongPasswordAndUnknownUserGetTheSameRefusal() {
        assertEquals("authentication failed", Gatekeeper.login(realm, "admin", "nope", "halley-admin").refusal());
        assertEquals("authentication failed", Gatekeeper.login(realm, "nobody", "secret", "halley-admin").refusal());
        assertEquals("authentication failed", Gatekeeper.login(realm, "", "secret", "halley-admin").refusal());
        assertEquals("authentication failed", Gatekeeper.login(realm, "admin", "", "halley-admin").refusal());
    }

    @Test
    public void aValidUserWithoutTheRoleIsToldWhichRoleItNeeds() {
        Gatekeeper.Outcome o = Gatekeeper.login(realm, "opal", "opalpw", "halley-admin");
        assertFalse(o.admitted());
        assertEquals("you need the role halley-admin", o.refusal());
        // the role is configurable
        assertTrue(Gatekeeper.login(realm, "opal", "opalpw", "viewer").admitted());
        assertEquals("you need the role ops", Gatekeeper.login(realm, "admin", "secret", "ops").refusal());
    }

    @Test
    public void aRealmThatDoesNotAnswerOrIsAbsentIsSaidSo() {
        assertEquals(Gatekeeper.UNAVAILABLE, Gatekeeper.login(realm, "slow", "whatever", "halley-admin").refusal());
        assertEquals(Gatekeeper.NO_REALM, Gatekeeper.login(null, "admin", "secret", "halley-admin").refusal());
    }
}
