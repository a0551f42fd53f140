package io.halley.auth.internal;

import static io.halley.auth.internal.Jwts.b64;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.halley.api.Identity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Set;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The token matrix: what is accepted, and every way a token is refused. */
public class TokenVerifierTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static final long NOW = 1_800_000_000_000L;
    private static final long EXP = NOW / 1000 + 600;
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-halley".getBytes(StandardCharsets.UTF_8);
    private static final String HS = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    private static final String RS = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    private static final String ES = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
    private static final String CLAIMS = "{\"sub\":\"alice\",\"exp\":" + EXP + ",\"roles\":[\"reader\",\"writer\"]}";

    private static final KeyPair RSA = Jwts.rsa(2048);
    private static final KeyPair RSA2 = Jwts.rsa(2048);
    private static final KeyPair EC = Jwts.ec("secp256r1");
    private static final KeyPair EC2 = Jwts.ec("secp256r1");

    private static TokenVerifier hmac() {
        return new TokenVerifier(new TokenKeys(SECRET, List.of(), List.of()), "", "", 30_000);
    }

    private Path file(String name, String content) throws IOException {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private TokenVerifier pem(KeyPair... pairs) throws IOException {
        StringBuilder b = new StringBuilder();
        for (KeyPair pair : pairs) {
            b.append(Jwts.pem(pair));
        }
        return new TokenVerifier(TokenKeys.load("", "", file("keys.pem", b.toString()).toString(), ""), "", "", 30_000);
    }

    private static void refused(TokenVerifier v, String token, String reason) {
        try {
            Identity identity = v.verify(token, NOW);
            fail("accepted " + identity + ", expected " + reason);
        } catch (TokenVerifier.Refused e) {
            assertEquals(reason, e.reason);
        }
    }

    @Test
    public void hs256IsAccepted() throws Exception {
        Identity id = hmac().verify(Jwts.hs256(HS, CLAIMS, SECRET), NOW);
        assertEquals("alice", id.name());
        assertEquals(Identity.Kind.TOKEN, id.kind());
        assertEquals(Set.of("reader", "writer"), id.roles());
        assertEquals(EXP * 1000, id.expiresAt());
        assertEquals(Set.of(), id.channels());
    }

    @Test
    public void rs256IsAccepted() throws Exception {
        assertEquals("alice", pem(RSA).verify(Jwts.rs256(RS, CLAIMS, RSA.getPrivate()), NOW).name());
    }

    @Test
    public void es256IsAccepted() throws Exception {
        TokenVerifier v = pem(EC);
        // many signatures, so that r and s with a high bit set or leading zeros are met
        for (int i = 0; i < 50; i++) {
            String claims = "{\"sub\":\"u" + i + "\",\"exp\":" + EXP + "}";
            assertEquals("u" + i, v.verify(Jwts.es256(ES, claims, EC.getPrivate()), NOW).name());
        }
    }

    @Test
    public void aPemFileMayHoldSeveralKeysOfBothKinds() throws Exception {
        TokenVerifier v = pem(RSA, EC, RSA2);
        v.verify(Jwts.rs256(RS, CLAIMS, RSA2.getPrivate()), NOW);
        v.verify(Jwts.es256(ES, CLAIMS, EC.getPrivate()), NOW);
        refused(v, Jwts.es256(ES, CLAIMS, EC2.getPrivate()), "signature");
    }

    @Test
    public void rolesMayBeASpaceSeparatedString() throws Exception {
        String claims = "{\"sub\":\"a\",\"exp\":" + EXP + ",\"roles\":\"  reader  writer \"}";
        assertEquals(Set.of("reader", "writer"), hmac().verify(Jwts.hs256(HS, claims, SECRET), NOW).roles());
    }

    @Test
    public void channelsArePatterns() throws Exception {
        String claims = "{\"sub\":\"a\",\"exp\":" + EXP + ",\"channels\":[\"news.*\",\"chat.room1\",\"feed.>\"]}";
        assertEquals(Set.of("news.*", "chat.room1", "feed.>"),
                hmac().verify(Jwts.hs256(HS, claims, SECRET), NOW).channels());
        for (String bad : new String[] {"\"news..x\"", "\"a.>.b\"", "\"\"", "1", "\"sp ace\""}) {
            String c = "{\"sub\":\"a\",\"exp\":" + EXP + ",\"channels\":[" + bad + "]}";
            refused(hmac(), Jwts.hs256(HS, c, SECRET), bad.equals("1") ? "malformed" : "claims");
        }
        refused(hmac(), Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + EXP + ",\"channels\":\"news.*\"}", SECRET), "claims");
    }

    @Test
    public void unknownClaimsAreIgnoredWhateverTheirShape() throws Exception {
        String claims = "{\"x\":{\"y\":[1,{\"z\":null}]},\"sub\":\"a\",\"iat\":1.5,\"exp\":" + EXP + ".9}";
        Identity id = hmac().verify(Jwts.hs256(HS, claims, SECRET), NOW);
        assertEquals(EXP * 1000 + 900, id.expiresAt());
    }

    @Test
    public void algNoneIsRefused() {
        String claims = b64(CLAIMS);
        refused(hmac(), b64("{\"alg\":\"none\"}") + "." + claims + ".", "malformed");
        refused(hmac(), b64("{\"alg\":\"none\"}") + "." + claims + ".AAAA", "algorithm");
        refused(hmac(), b64("{\"alg\":\"NONE\"}") + "." + claims + ".AAAA", "algorithm");
    }

    @Test
    public void algorithmsWithoutKeysAreRefused() throws Exception {
        refused(hmac(), Jwts.rs256(RS, CLAIMS, RSA.getPrivate()), "algorithm");
        refused(hmac(), Jwts.es256(ES, CLAIMS, EC.getPrivate()), "algorithm");
        refused(pem(RSA), Jwts.hs256(HS, CLAIMS, SECRET), "algorithm");
        refused(pem(RSA), Jwts.es256(ES, CLAIMS, EC.getPrivate()), "algorithm");
        refused(pem(EC), Jwts.rs256(RS, CLAIMS, RSA.getPrivate()), "algorithm");
        refused(hmac(), Jwts.hs256("{\"alg\":\"HS512\"}", CLAIMS, SECRET), "algorithm");
        refused(hmac(), Jwts.hs256("{\"alg\":\"hs256\"}", CLAIMS, SECRET), "algorithm");
        refused(new TokenVerifier(TokenKeys.NONE, "", "", 0), Jwts.hs256(HS, CLAIMS, SECRET), "unconfigured");
    }

    @Test
    public void anHmacMadeWithThePublicKeyIsRefused() throws Exception {
        // the classic confusion: alg HS256, "secret" = the RSA public key as the verifier knows it
        byte[][] publicForms = {RSA.getPublic().getEncoded(), Jwts.pem(RSA).getBytes(StandardCharsets.US_ASCII)};
        Path pemFile = file("rsa.pem", Jwts.pem(RSA));
        TokenVerifier rsaOnly = new TokenVerifier(TokenKeys.load("", "", pemFile.toString(), ""), "", "", 0);
        TokenVerifier both = new TokenVerifier(TokenKeys.load(new String(SECRET, StandardCharsets.UTF_8), "",
                pemFile.toString(), ""), "", "", 0);
        for (byte[] form : publicForms) {
            refused(rsaOnly, Jwts.hs256(HS, CLAIMS, form), "algorithm");
            refused(both, Jwts.hs256(HS, CLAIMS, form), "signature");
        }
    }

    @Test
    public void badSignaturesAreRefused() throws Exception {
        String hs = Jwts.hs256(HS, CLAIMS, SECRET);
        refused(hmac(), flipLastSignatureChar(hs), "signature");
        refused(hmac(), Jwts.hs256(HS, CLAIMS, "another secret of at least thirty-two bytes".getBytes(
                StandardCharsets.UTF_8)), "signature");
        // same signature, other claims
        String other = Jwts.hs256(HS, CLAIMS.replace("alice", "admin"), SECRET);
        refused(hmac(), other.substring(0, other.lastIndexOf('.')) + hs.substring(hs.lastIndexOf('.')), "signature");
        refused(hmac(), hs.substring(0, hs.lastIndexOf('.') + 1) + "AAAA", "signature");

        TokenVerifier rsa = pem(RSA);
        refused(rsa, flipLastSignatureChar(Jwts.rs256(RS, CLAIMS, RSA.getPrivate())), "signature");
        refused(rsa, Jwts.rs256(RS, CLAIMS, RSA2.getPrivate()), "signature");
        String rs = Jwts.rs256(RS, CLAIMS, RSA.getPrivate());
        refused(rsa, rs.substring(0, rs.lastIndexOf('.') + 1) + "AAAA", "signature");

        TokenVerifier ec = pem(EC);
        String es = Jwts.es256(ES, CLAIMS, EC.getPrivate());
        refused(ec, flipLastSignatureChar(es), "signature");
        refused(ec, Jwts.es256(ES, CLAIMS, EC2.getPrivate()), "signature");
        refused(ec, es.substring(0, es.lastIndexOf('.') + 1) + b64(new byte[64]), "signature");
        refused(ec, es.substring(0, es.lastIndexOf('.') + 1) + b64(new byte[63]), "signature");
        // an ECDSA signature in DER, as a careless signer might send it, is not JOSE's form
        refused(ec, sign(ES, CLAIMS, EC, "SHA256withECDSA"), "signature");
    }

    private static String sign(String header, String claims, KeyPair pair, String alg) throws Exception {
        String signed = b64(header) + "." + b64(claims);
        java.security.Signature s = java.security.Signature.getInstance(alg);
        s.initSign(pair.getPrivate());
        s.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64(s.sign());
    }

    private static String flipLastSignatureChar(String token) {
        int dot = token.lastIndexOf('.');
        char c = token.charAt(dot + 1);
        return token.substring(0, dot + 1) + (c == 'A' ? 'B' : 'A') + token.substring(dot + 2);
    }

    @Test
    public void malformedTokensAreRefused() {
        String good = Jwts.hs256(HS, CLAIMS, SECRET);
        String[] parts = good.split("\\.");
        TokenVerifier v = hmac();
        refused(v, "", "malformed");
        refused(v, parts[0] + "." + parts[1], "malformed");
        refused(v, good + ".x", "malformed");
        refused(v, "." + parts[1] + "." + parts[2], "malformed");
        refused(v, parts[0] + ".." + parts[2], "malformed");
        refused(v, parts[0] + "=." + parts[1] + "." + parts[2], "malformed");
        refused(v, parts[0] + "." + parts[1] + "." + parts[2] + "=", "malformed");
        refused(v, parts[0].replace('e', '+') + "." + parts[1] + "." + parts[2], "malformed");
        refused(v, "a" + parts[0] + "." + parts[1] + "." + parts[2], "malformed"); // not base64 any more
        refused(v, b64("not json") + "." + parts[1] + "." + parts[2], "malformed");
        refused(v, b64("[\"HS256\"]") + "." + parts[1] + "." + parts[2], "malformed");
        refused(v, b64("{\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2], "malformed");
        refused(v, b64("{\"alg\":256}") + "." + parts[1] + "." + parts[2], "malformed");
        refused(v, Jwts.hs256("{\"alg\":\"none\",\"alg\":\"HS256\"}", CLAIMS, SECRET), "malformed");
        refused(v, Jwts.hs256("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", CLAIMS, SECRET), "malformed");
        refused(v, Jwts.hs256(HS + " {}", CLAIMS, SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "not json", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "[1]", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"sub\":\"admin\",\"exp\":" + EXP + "}", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "{\"sub\":1,\"exp\":" + EXP + "}", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":\"" + EXP + "\"}", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":1e300}", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":99999999999999999999999}", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":-1}", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + EXP + ",\"roles\":[1]}", SECRET), "malformed");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + EXP + ",\"aud\":{}}", SECRET), "malformed");
    }

    @Test
    public void oversizeTokensAreRefusedBeforeParsing() {
        String big = "{\"sub\":\"alice\",\"exp\":" + EXP + ",\"pad\":\"" + "x".repeat(7000) + "\"}";
        refused(hmac(), Jwts.hs256(HS, big, SECRET), "malformed");
        String fits = "{\"sub\":\"alice\",\"exp\":" + EXP + ",\"pad\":\"" + "x".repeat(5000) + "\"}";
        try {
            hmac().verify(Jwts.hs256(HS, fits, SECRET), NOW);
        } catch (TokenVerifier.Refused e) {
            fail("a token under 8 KiB was refused: " + e.reason);
        }
    }

    @Test
    public void expiryAndNotBeforeHonourTheClockSkew() throws Exception {
        TokenVerifier v = hmac();
        long now = NOW / 1000;
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\"}", SECRET), "claims");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + (now - 31) + "}", SECRET), "expired");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + (now - 30) + "}", SECRET), "expired");
        v.verify(Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + (now - 29) + "}", SECRET), NOW);
        refused(new TokenVerifier(new TokenKeys(SECRET, List.of(), List.of()), "", "", 0),
                Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + now + "}", SECRET), "expired");
        refused(v, Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + EXP + ",\"nbf\":" + (now + 31) + "}", SECRET),
                "notbefore");
        v.verify(Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + EXP + ",\"nbf\":" + (now + 29) + "}", SECRET), NOW);
        v.verify(Jwts.hs256(HS, "{\"sub\":\"a\",\"exp\":" + EXP + ",\"nbf\":" + (now - 1000) + "}", SECRET), NOW);
    }

    @Test
    public void issuerAndAudienceAreCheckedWhenConfigured() throws Exception {
        TokenVerifier v = new TokenVerifier(new TokenKeys(SECRET, List.of(), List.of()), "https://app", "halley", 0);
        String base = "\"sub\":\"a\",\"exp\":" + EXP;
        v.verify(Jwts.hs256(HS, "{" + base + ",\"iss\":\"https://app\",\"aud\":\"halley\"}", SECRET), NOW);
        v.verify(Jwts.hs256(HS, "{" + base + ",\"iss\":\"https://app\",\"aud\":[\"x\",\"halley\"]}", SECRET), NOW);
        refused(v, Jwts.hs256(HS, "{" + base + ",\"aud\":\"halley\"}", SECRET), "issuer");
        refused(v, Jwts.hs256(HS, "{" + base + ",\"iss\":\"https://evil\",\"aud\":\"halley\"}", SECRET), "issuer");
        refused(v, Jwts.hs256(HS, "{" + base + ",\"iss\":\"https://app\"}", SECRET), "audience");
        refused(v, Jwts.hs256(HS, "{" + base + ",\"iss\":\"https://app\",\"aud\":[\"x\"]}", SECRET), "audience");
        // not configured: any iss and aud
        hmac().verify(Jwts.hs256(HS, "{" + base + ",\"iss\":\"whoever\",\"aud\":\"x\"}", SECRET), NOW);
    }

    @Test
    public void aSubjectIsRequired() {
        refused(hmac(), Jwts.hs256(HS, "{\"exp\":" + EXP + "}", SECRET), "claims");
        refused(hmac(), Jwts.hs256(HS, "{\"sub\":\"\",\"exp\":" + EXP + "}", SECRET), "claims");
    }

    @Test
    public void jwksKeysAreChosenByKid() throws Exception {
        String jwks = "{\"keys\":[" + Jwts.jwk("r1", RSA) + "," + Jwts.jwk("r2", RSA2) + "," + Jwts.jwk("e1", EC)
                + ",{\"kty\":\"oct\",\"k\":\"" + b64(SECRET) + "\"}"
                + ",{\"kty\":\"RSA\",\"kid\":\"enc\",\"use\":\"enc\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}";
        TokenVerifier v = new TokenVerifier(TokenKeys.load("", "", "", file("keys.jwks", jwks).toString()), "", "", 0);
        assertEquals("alice", v.verify(Jwts.rs256("{\"alg\":\"RS256\",\"kid\":\"r2\"}", CLAIMS, RSA2.getPrivate()),
                NOW).name());
        v.verify(Jwts.rs256("{\"alg\":\"RS256\",\"kid\":\"r1\"}", CLAIMS, RSA.getPrivate()), NOW);
        v.verify(Jwts.es256("{\"alg\":\"ES256\",\"kid\":\"e1\"}", CLAIMS, EC.getPrivate()), NOW);
        // the right signature under another key's kid is not accepted
        refused(v, Jwts.rs256("{\"alg\":\"RS256\",\"kid\":\"r1\"}", CLAIMS, RSA2.getPrivate()), "signature");
        refused(v, Jwts.rs256("{\"alg\":\"RS256\",\"kid\":\"nope\"}", CLAIMS, RSA.getPrivate()), "signature");
        // without a kid, any key of the algorithm's kind
        v.verify(Jwts.rs256(RS, CLAIMS, RSA2.getPrivate()), NOW);
        // the oct key in the JWKS does not make HS256 acceptable
        refused(v, Jwts.hs256(HS, CLAIMS, SECRET), "algorithm");
    }

    @Test
    public void unusableKeysAreRefusedWhenLoading() throws Exception {
        assertLoadFails("short", "", "", "");
        assertLoadFails("a-secret-of-more-than-32-bytes-for-sure", file("s", "x").toString(), "", "");
        assertLoadFails("", file("short.secret", "short\n").toString(), "", "");
        assertLoadFails("", "", file("small.pem", Jwts.pem(Jwts.rsa(1024))).toString(), "");
        assertLoadFails("", "", file("p384.pem", Jwts.pem(Jwts.ec("secp384r1"))).toString(), "");
        assertLoadFails("", "", file("empty.pem", "nothing here").toString(), "");
        assertLoadFails("", "", tmp.getRoot().toPath().resolve("missing.pem").toString(), "");
        assertLoadFails("", "", "", file("bad.jwks", "{\"keys\":[").toString());
        assertLoadFails("", "", "", file("none.jwks", "{\"keys\":[]}").toString());
        String offCurve = Jwts.jwk("e", EC).replaceFirst("\"y\":\"[^\"]+\"", "\"y\":\"" + b64(new byte[32]) + "\"");
        assertLoadFails("", "", "", file("off.jwks", "{\"keys\":[" + offCurve + "]}").toString());
        // a secret file's trailing line break is not part of the secret
        TokenKeys keys = TokenKeys.load("", file("ok.secret", new String(SECRET, StandardCharsets.UTF_8) + "\n")
                .toString(), "", "");
        new TokenVerifier(keys, "", "", 0).verify(Jwts.hs256(HS, CLAIMS, SECRET), NOW);
        assertTrue(keys.describe().contains("HS256"));
        assertTrue(!keys.describe().contains(new String(SECRET, StandardCharsets.UTF_8)));
    }

    private static void assertLoadFails(String secret, String secretFile, String pem, String jwks) {
        try {
            TokenKeys.load(secret, secretFile, pem, jwks);
            fail("loaded");
        } catch (IllegalArgumentException expected) {
            // logged by the component, which then refuses every token
        }
    }

    @Test
    public void joseSignaturesBecomeDer() {
        byte[] jose = new byte[64];
        jose[31] = 1;
        jose[32] = (byte) 0x80;
        byte[] der = TokenVerifier.joseToDer(jose);
        byte[] expected = new byte[2 + 3 + 2 + 33];
        expected[0] = 0x30;
        expected[1] = 38;
        expected[2] = 2;
        expected[3] = 1;
        expected[4] = 1;
        expected[5] = 2;
        expected[6] = 33;
        expected[7] = 0;
        expected[8] = (byte) 0x80;
        assertEquals(java.util.HexFormat.of().formatHex(expected), java.util.HexFormat.of().formatHex(der));
    }
}
