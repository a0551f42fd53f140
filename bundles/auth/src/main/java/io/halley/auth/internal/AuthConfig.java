package io.halley.auth.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Halley authentication",
        description = "Who is who: passwords checked by a JAAS realm, application tokens (JWT), API keys")
public @interface AuthConfig {

    @AttributeDefinition(description = "The JAAS realm that checks user names and passwords")
    String realm() default "halley";

    @AttributeDefinition(description = "Longest a password check may take, in milliseconds; "
            + "longer is refused with unavailable")
    long loginTimeout() default 5_000L;

    @AttributeDefinition(description = "Password checks that may run at once; more wait in a short queue")
    int loginThreads() default 4;

    @AttributeDefinition(description = "How long a successful password check is remembered, in milliseconds; 0 disables")
    long cacheTtl() default 60_000L;

    @AttributeDefinition(description = "Most users remembered; 0 disables")
    int cacheSize() default 1000;

    @AttributeDefinition(description = "Register the properties realm (named by realm, rank 0) on usersFile")
    boolean defaultRealm_enabled() default true;

    @AttributeDefinition(description = "The users file of the default realm; empty for ${karaf.etc}/users.properties")
    String usersFile() default "";

    @AttributeDefinition(description = "Whether the users file holds encrypted passwords "
            + "(as etc/org.apache.karaf.jaas.cfg encryption.enabled)")
    boolean encryption_enabled() default false;

    @AttributeDefinition(description = "Encryption service name, as in etc/org.apache.karaf.jaas.cfg")
    String encryption_name() default "basic";

    @AttributeDefinition(description = "Encrypted password prefix")
    String encryption_prefix() default "{CRYPT}";

    @AttributeDefinition(description = "Encrypted password suffix")
    String encryption_suffix() default "{CRYPT}";

    @AttributeDefinition(description = "Digest of encrypted passwords")
    String encryption_algorithm() default "SHA-256";

    @AttributeDefinition(description = "Encoding of encrypted passwords: hexadecimal or base64")
    String encryption_encoding() default "hexadecimal";

    @AttributeDefinition(description = "The HS256 shared secret (at least 32 bytes); empty for none",
            type = AttributeType.PASSWORD)
    String token_secret() default "";

    @AttributeDefinition(description = "A file holding the HS256 shared secret (a trailing line break is ignored)")
    String token_secretFile() default "";

    @AttributeDefinition(description = "A PEM file of RSA (RS256) or P-256 (ES256) public keys or certificates")
    String token_publicKeyFile() default "";

    @AttributeDefinition(description = "A JWKS file (RSA and P-256 keys), a key chosen by the token's kid")
    String token_jwksFile() default "";

    @AttributeDefinition(description = "The required iss claim; empty accepts any")
    String token_issuer() default "";

    @AttributeDefinition(description = "The required aud claim; empty accepts any")
    String token_audience() default "";

    @AttributeDefinition(description = "Tolerated clock difference for exp and nbf, in milliseconds")
    long token_clockSkew() default 30_000L;

    @AttributeDefinition(description = "The API key store; empty for ${karaf.etc}/halley-apikeys.properties")
    String apiKeysFile() default "";
}
