package io.halley.auth.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Makes tokens and keys for the tests, with the JDK only. */
final class Jwts {

    private Jwts() {
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String b64(String text) {
        return b64(text.getBytes(StandardCharsets.UTF_8));
    }

    static String hs256(String header, String claims, byte[] secret) {
        String signed = b64(header) + "." + b64(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return signed + "." + b64(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static String rs256(String header, String claims, PrivateKey key) {
        return sign(header, claims, key, "SHA256withRSA");
    }

    /** Signs in the JDK's P1363 form (r||s), which is JOSE's: a cross-check of the verifier's own DER conversion. */
    static String es256(String header, String claims, PrivateKey key) {
        return sign(header, claims, key, "SHA256withECDSAinP1363Format");
    }

    private static String sign(String header, String claims, PrivateKey key, String algorithm) {
        String signed = b64(header) + "." + b64(claims);
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + b64(s.sign());
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                        pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    static String jwk(String kid, KeyPair pair) {
        if (pair.getPublic() instanceof RSAPublicKey r) {
            return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"use\":\"sig\",\"n\":\"" + b64(unsigned(r.getModulus()))
                    + "\",\"e\":\"" + b64(unsigned(r.getPublicExponent())) + "\"}";
        }
        ECPublicKey e = (ECPublicKey) pair.getPublic();
        return "{\"kty\":\"EC\",\"kid\":\"" + kid + "\",\"crv\":\"P-256\",\"x\":\""
                + b64(fixed(e.getW().getAffineX())) + "\",\"y\":\"" + b64(fixed(e.getW().getAffineY())) + "\"}";
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b[0] == 0 && b.length > 1 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static byte[] fixed(BigInteger n) {
        byte[] b = unsigned(n);
        byte[] out = new byte[32];
        System.arraycopy(b, 0, out, 32 - b.length, b.length);
        return out;
    }
}
