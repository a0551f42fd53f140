package io.halley.auth.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import io.halley.api.ChannelName;
import io.halley.api.Credentials;
import io.halley.api.HalleyException;
import io.halley.api.Identity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies application tokens: JWTs in compact serialisation, signed with HS256, RS256
 * or ES256. Immutable and thread-safe.
 */
final class TokenVerifier {

    /** Why a token was refused: the suffix of its counter, {@code auth.failure.token.<reason>}. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final String reason;

        Refused(String reason) {
            super(reason, null, false, false);
            this.reason = reason;
        }
    }

    /** The largest number of seconds accepted in exp and nbf: the end of year 9999. */
    private static final long MAX_SECONDS = 253_402_300_799L;

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final TokenKeys keys;
    private final String issuer;
    private final String audience;
    private final long clockSkew;

    /**
     * @param issuer    the required {@code iss}; empty accepts any
     * @param audience  the required {@code aud}; empty accepts any
     * @param clockSkew tolerance for {@code exp} and {@code nbf}, in milliseconds
     */
    TokenVerifier(TokenKeys keys, String issuer, String audience, long clockSkew) {
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        this.clockSkew = Math.max(0, clockSkew);
    }

    boolean isConfigured() {
        return !keys.isEmpty();
    }

    /**
     * @param now the time, in milliseconds since the epoch
     * @return the identity the token proves, of kind {@link Identity.Kind#TOKEN}
     * @throws Refused with the reason
     */
    Identity verify(String token, long now) throws Refused {
        if (keys.isEmpty()) {
            throw new Refused("unconfigured");
        }
        if (token.length() > Credentials.MAX_LENGTH) {
            throw new Refused("malformed");
        }
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second <= first + 1 || second == token.length() - 1 || token.indexOf('.', second + 1) >= 0) {
            throw new Refused("malformed");
        }
        Header header = parseHeader(decode(token.substring(0, first)));
        byte[] signature = decode(token.substring(second + 1));
        byte[] signed = token.substring(0, second).getBytes(StandardCharsets.US_ASCII);
        switch (header.alg) {
            case "HS256" -> verifyHmac(signed, signature);
            case "RS256" -> verifyPublic(keys.rsa(), header.kid, "SHA256withRSA", signed, signature);
            case "ES256" -> {
                if (signature.length != 64) {
                    throw new Refused("signature");
                }
                verifyPublic(keys.ec(), header.kid, "SHA256withECDSA", signed, joseToDer(signature));
            }
            default -> throw new Refused("algorithm");
        }
        // the claims are read only once the signature is known to be the issuer's
        return claims(decode(token.substring(first + 1, second)), now);
    }

    private record Header(String alg, String kid) {
    }

    private Header parseHeader(byte[] json) throws Refused {
        String alg = null;
        String kid = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Refused("malformed");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "alg" -> alg = string(p, value);
                    case "kid" -> kid = string(p, value);
                    // an extension this verifier does not know must not be ignored (RFC 7515 4.1.11)
                    case "crit" -> throw new Refused("malformed");
                    default -> p.skipChildren();
                }
            }
            end(p);
        } catch (IOException e) {
            throw new Refused("malformed");
        }
        if (alg == null) {
            throw new Refused("malformed");
        }
        boolean configured = switch (alg) {
            case "HS256" -> keys.secret() != null;
            case "RS256" -> !keys.rsa().isEmpty();
            case "ES256" -> !keys.ec().isEmpty();
            default -> false;
        };
        if (!configured) {
            throw new Refused("algorithm");
        }
        return new Header(alg, kid);
    }

    private void verifyHmac(byte[] signed, byte[] signature) throws Refused {
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keys.secret(), "HmacSHA256"));
            expected = mac.doFinal(signed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
        if (!MessageDigest.isEqual(expected, signature)) {
            throw new Refused("signature");
        }
    }

    private static void verifyPublic(List<TokenKeys.Key> candidates, String kid, String algorithm, byte[] signed,
            byte[] signature) throws Refused {
        for (TokenKeys.Key key : candidates) {
            // with a kid, only the key published under it (or a PEM key, which has none)
            if (kid != null && key.kid() != null && !kid.equals(key.kid())) {
                continue;
            }
            if (verifies(key.key(), algorithm, signed, signature)) {
                return;
            }
        }
        throw new Refused("signature");
    }

    private static boolean verifies(PublicKey key, String algorithm, byte[] signed, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(signed);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            // a signature that cannot even be decoded (wrong length, bad DER) is a bad signature
            return false;
        }
    }

    /** JOSE's ECDSA signature is r||s, 32 bytes each; the JDK's is a DER SEQUENCE of two INTEGERs. */
    static byte[] joseToDer(byte[] jose) {
        byte[] r = derInteger(jose, 0, 32);
        byte[] s = derInteger(jose, 32, 32);
        ByteArrayOutputStream der = new ByteArrayOutputStream(72);
        der.write(0x30);
        der.write(r.length + s.length); // at most 2 * 35 < 128: short form
        der.writeBytes(r);
        der.writeBytes(s);
        return der.toByteArray();
    }

    private static byte[] derInteger(byte[] bytes, int offset, int length) {
        int start = offset;
        int end = offset + length;
        while (start < end - 1 && bytes[start] == 0) {
            start++;
        }
        boolean pad = (bytes[start] & 0x80) != 0;
        int n = end - start + (pad ? 1 : 0);
        byte[] result = new byte[n + 2];
        result[0] = 0x02;
        result[1] = (byte) n;
        System.arraycopy(bytes, start, result, 2 + (pad ? 1 : 0), end - start);
        return result;
    }

    private Identity claims(byte[] json, long now) throws Refused {
        String sub = null;
        Long exp = null;
        Long nbf = null;
        String iss = null;
        List<String> aud = null;
        Set<String> roles = Set.of();
        Set<String> channels = Set.of();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new Refused("malformed");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "sub" -> sub = string(p, value);
                    case "exp" -> exp = millis(p, value);
                    case "nbf" -> nbf = millis(p, value);
                    case "iss" -> iss = string(p, value);
                    case "aud" -> aud = value == JsonToken.START_ARRAY ? strings(p) : List.of(string(p, value));
                    case "roles" -> roles = roles(p, value);
                    case "channels" -> channels = channels(p, value);
                    default -> p.skipChildren();
                }
            }
            end(p);
        } catch (IOException e) {
            throw new Refused("malformed");
        }
        if (exp == null) {
            throw new Refused("claims");
        }
        if (now >= exp + clockSkew) {
            throw new Refused("expired");
        }
        if (nbf != null && now + clockSkew < nbf) {
            throw new Refused("notbefore");
        }
        if (!issuer.isEmpty() && !issuer.equals(iss)) {
            throw new Refused("issuer");
        }
        if (!audience.isEmpty() && (aud == null || !aud.contains(audience))) {
            throw new Refused("audience");
        }
        if (sub == null || sub.isEmpty()) {
            throw new Refused("claims");
        }
        return new Identity(sub, Identity.Kind.TOKEN, roles, exp, channels);
    }

    private static String string(JsonParser p, JsonToken value) throws IOException, Refused {
        if (value != JsonToken.VALUE_STRING) {
            throw new Refused("malformed");
        }
        return p.getText();
    }

    private static List<String> strings(JsonParser p) throws IOException, Refused {
        List<String> result = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            result.add(string(p, t));
        }
        return result;
    }

    private static Long millis(JsonParser p, JsonToken value) throws IOException, Refused {
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new Refused("malformed");
        }
        // a NumericDate may have a fraction (RFC 7519 2); exactly, in milliseconds
        BigDecimal seconds = p.getDecimalValue();
        if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
            throw new Refused("malformed");
        }
        return seconds.movePointRight(3).setScale(0, RoundingMode.FLOOR).longValueExact();
    }

    private static Set<String> roles(JsonParser p, JsonToken value) throws IOException, Refused {
        Set<String> roles = new LinkedHashSet<>();
        if (value == JsonToken.START_ARRAY) {
            for (String role : strings(p)) {
                if (role.isBlank()) {
                    throw new Refused("claims");
                }
                roles.add(role.strip());
            }
        } else {
            for (String role : string(p, value).split("\\s+")) {
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            }
        }
        return roles;
    }

    private static Set<String> channels(JsonParser p, JsonToken value) throws IOException, Refused {
        if (value != JsonToken.START_ARRAY) {
            throw new Refused("claims");
        }
        Set<String> channels = new LinkedHashSet<>();
        for (String pattern : strings(p)) {
            try {
                channels.add(ChannelName.requirePattern(pattern));
            } catch (HalleyException e) {
                throw new Refused("claims");
            }
        }
        return channels;
    }

    private static void end(JsonParser p) throws IOException, Refused {
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw new Refused("malformed");
        }
    }

    private static byte[] decode(String part) throws Refused {
        // the URL-safe alphabet without padding only (RFC 7515 2): '=' and '+/' are refused
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw new Refused("malformed");
            }
        }
        try {
            return Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new Refused("malformed");
        }
    }
}
