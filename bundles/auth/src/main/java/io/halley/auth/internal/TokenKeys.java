package io.halley.auth.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys tokens are verified with: an HS256 secret, RSA keys (RS256), P-256 keys
 * (ES256). Each algorithm uses only its own kind of key, so a token can never have its
 * HMAC checked with a public key's bytes (algorithm confusion).
 */
final class TokenKeys {

    /** A public key and the {@code kid} it was published under ({@code null} from a PEM file). */
    record Key(String kid, PublicKey key) {
    }

    static final int MIN_SECRET_BYTES = 32;
    static final int MIN_RSA_BITS = 2048;

    static final TokenKeys NONE = new TokenKeys(null, List.of(), List.of());

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final ECParameterSpec P256 = p256();

    private final byte[] secret;
    private final List<Key> rsa;
    private final List<Key> ec;

    TokenKeys(byte[] secret, List<Key> rsa, List<Key> ec) {
        this.secret = secret == null ? null : secret.clone();
        this.rsa = List.copyOf(rsa);
        this.ec = List.copyOf(ec);
    }

    byte[] secret() {
        return secret;
    }

    List<Key> rsa() {
        return rsa;
    }

    List<Key> ec() {
        return ec;
    }

    boolean isEmpty() {
        return secret == null && rsa.isEmpty() && ec.isEmpty();
    }

    /** @return what is configured, for the log: never the secret itself */
    String describe() {
        List<String> parts = new ArrayList<>();
        if (secret != null) {
            parts.add("HS256");
        }
        if (!rsa.isEmpty()) {
            parts.add("RS256 (" + rsa.size() + " key" + (rsa.size() == 1 ? ")" : "s)"));
        }
        if (!ec.isEmpty()) {
            parts.add("ES256 (" + ec.size() + " key" + (ec.size() == 1 ? ")" : "s)"));
        }
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    /**
     * Loads the configured keys.
     *
     * @throws IllegalArgumentException when a configured key cannot be used (unreadable
     *         file, short secret, small RSA key, other curve), with a message for the log
     */
    static TokenKeys load(String secretText, String secretFile, String publicKeyFile, String jwksFile) {
        byte[] secret = null;
        if (!secretText.isEmpty() && !secretFile.isEmpty()) {
            throw new IllegalArgumentException("set token.secret or token.secretFile, not both");
        }
        if (!secretText.isEmpty()) {
            secret = secretText.getBytes(StandardCharsets.UTF_8);
        } else if (!secretFile.isEmpty()) {
            secret = stripTrailingLineBreaks(read(secretFile));
        }
        if (secret != null && secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the HS256 secret has " + secret.length + " bytes; at least "
                    + MIN_SECRET_BYTES + " are required");
        }
        List<Key> rsa = new ArrayList<>();
        List<Key> ec = new ArrayList<>();
        if (!publicKeyFile.isEmpty()) {
            for (PublicKey key : parsePem(new String(read(publicKeyFile), StandardCharsets.US_ASCII), publicKeyFile)) {
                add(new Key(null, key), rsa, ec, publicKeyFile);
            }
        }
        if (!jwksFile.isEmpty()) {
            for (Key key : parseJwks(read(jwksFile), jwksFile)) {
                add(key, rsa, ec, jwksFile);
            }
        }
        return new TokenKeys(secret, rsa, ec);
    }

    private static void add(Key key, List<Key> rsa, List<Key> ec, String file) {
        if (key.key() instanceof RSAPublicKey r) {
            if (r.getModulus().bitLength() < MIN_RSA_BITS) {
                throw new IllegalArgumentException("an RSA key in " + file + " has " + r.getModulus().bitLength()
                        + " bits; at least " + MIN_RSA_BITS + " are required");
            }
            rsa.add(key);
        } else if (key.key() instanceof ECPublicKey e) {
            if (!isP256(e.getParams())) {
                throw new IllegalArgumentException("an EC key in " + file + " is not on P-256 (ES256)");
            }
            ec.add(key);
        } else {
            throw new IllegalArgumentException("a key in " + file + " is neither RSA nor EC: " + key.key().getAlgorithm());
        }
    }

    private static byte[] read(String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e);
        }
    }

    private static byte[] stripTrailingLineBreaks(byte[] bytes) {
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        return Arrays.copyOf(bytes, end);
    }

    static List<PublicKey> parsePem(String text, String file) {
        List<PublicKey> keys = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            try {
                switch (type) {
                    case "PUBLIC KEY" -> keys.add(publicKey(der));
                    case "CERTIFICATE" -> keys.add(CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(der)).getPublicKey());
                    default -> throw new IllegalArgumentException("a PEM block of type '" + type + "' in " + file
                            + " is not supported: use PUBLIC KEY or CERTIFICATE");
                }
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("a " + type + " in " + file + " cannot be read: " + e.getMessage());
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no PUBLIC KEY or CERTIFICATE in " + file);
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }

    static List<Key> parseJwks(byte[] json, String file) {
        List<Key> keys = new ArrayList<>();
        JsonFactory factory = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        try (JsonParser p = factory.createParser(json)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, file, "not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (!field.equals("keys")) {
                    p.skipChildren();
                    continue;
                }
                expect(value == JsonToken.START_ARRAY, file, "keys is not an array");
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    Key key = parseJwk(p, file);
                    if (key != null) {
                        keys.add(key);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not valid JSON: " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no RSA or P-256 signature key in " + file);
        }
        return keys;
    }

    private static Key parseJwk(JsonParser p, String file) throws IOException {
        String kty = null;
        String kid = null;
        String use = null;
        String alg = null;
        String n = null;
        String e = null;
        String crv = null;
        String x = null;
        String y = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (value != JsonToken.VALUE_STRING) {
                p.skipChildren();
                continue;
            }
            String text = p.getText();
            switch (field) {
                case "kty" -> kty = text;
                case "kid" -> kid = text;
                case "use" -> use = text;
                case "alg" -> alg = text;
                case "n" -> n = text;
                case "e" -> e = text;
                case "crv" -> crv = text;
                case "x" -> x = text;
                case "y" -> y = text;
                default -> {
                }
            }
        }
        if (use != null && !use.equals("sig")) {
            return null;
        }
        try {
            if ("RSA".equals(kty) && (alg == null || alg.equals("RS256"))) {
                expect(n != null && e != null, file, "an RSA key lacks n or e");
                return new Key(kid, KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(unsigned(n), unsigned(e))));
            }
            if ("EC".equals(kty) && (alg == null || alg.equals("ES256"))) {
                expect("P-256".equals(crv), file, "an EC key is not on P-256");
                expect(x != null && y != null, file, "an EC key lacks x or y");
                ECPoint point = new ECPoint(unsigned(x), unsigned(y));
                expect(onP256(point), file, "an EC key's point is not on P-256");
                return new Key(kid, KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, P256)));
            }
        } catch (GeneralSecurityException | IllegalArgumentException ex) {
            throw new IllegalArgumentException("a key in " + file + " cannot be used: " + ex.getMessage());
        }
        return null;
    }

    private static BigInteger unsigned(String base64url) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(base64url));
    }

    private static void expect(boolean condition, String file, String what) {
        if (!condition) {
            throw new IllegalArgumentException(file + ": " + what);
        }
    }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256", e);
        }
    }

    static boolean isP256(ECParameterSpec spec) {
        return spec.getCurve().equals(P256.getCurve()) && spec.getGenerator().equals(P256.getGenerator())
                && spec.getOrder().equals(P256.getOrder());
    }

    private static boolean onP256(ECPoint point) {
        // y^2 = x^3 + ax + b (mod p): a key off the curve is refused, not trusted to the provider
        BigInteger p = ((java.security.spec.ECFieldFp) P256.getCurve().getField()).getP();
        BigInteger x = point.getAffineX();
        BigInteger y = point.getAffineY();
        if (x.signum() < 0 || x.compareTo(p) >= 0 || y.signum() < 0 || y.compareTo(p) >= 0) {
            return false;
        }
        BigInteger left = y.modPow(BigInteger.TWO, p);
        BigInteger right = x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p);
        return left.equals(right);
    }
}
