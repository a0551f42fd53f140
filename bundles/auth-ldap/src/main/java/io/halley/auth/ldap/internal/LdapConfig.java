package io.halley.auth.ldap.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Halley LDAP realm",
        description = "Users and their groups in an LDAP directory, checked by Karaf's LDAP login module")
public @interface LdapConfig {

    @AttributeDefinition(description = "The JAAS realm this directory provides (io.halley.auth's realm)")
    String realm() default "halley";

    @AttributeDefinition(description = "The realm's rank: the highest of the realms with one name is used")
    int rank() default 100;

    @AttributeDefinition(description = "The directory: ldap://host:389 or ldaps://host:636")
    String url() default "ldap://localhost:389";

    @AttributeDefinition(description = "The DN to search the directory as; empty for an anonymous search")
    String bindDn() default "";

    @AttributeDefinition(description = "Its password", type = AttributeType.PASSWORD)
    String bindPassword() default "";

    @AttributeDefinition(description = "Where users are searched")
    String userBaseDn() default "ou=users,dc=example,dc=com";

    @AttributeDefinition(description = "The filter that finds a user; %u is the login name, escaped")
    String userFilter() default "(uid=%u)";

    @AttributeDefinition(description = "Search below userBaseDn's children too")
    boolean userSearchSubtree() default true;

    @AttributeDefinition(description = "Where groups are searched; empty for no roles")
    String roleBaseDn() default "ou=groups,dc=example,dc=com";

    @AttributeDefinition(description = "The filter that finds a user's groups: %u login name, %dn the user's "
            + "DN relative to userBaseDn, %fqdn the user's full DN")
    String roleFilter() default "(member=%fqdn)";

    @AttributeDefinition(description = "The group attribute that names the role")
    String roleNameAttribute() default "cn";

    @AttributeDefinition(description = "Search below roleBaseDn's children too")
    boolean roleSearchSubtree() default true;

    @AttributeDefinition(description = "Group to Halley roles: group=role1,role2;group2=role3; "
            + "an unmapped group's name is the role")
    String roleMapping() default "";

    @AttributeDefinition(description = "How users bind: simple (DIGEST-MD5 and others as JNDI supports them)")
    String authentication() default "simple";

    @AttributeDefinition(description = "Longest wait for a connection to the directory, and for the answer to a bind, in milliseconds")
    int connectTimeout() default 2_000;

    @AttributeDefinition(description = "Longest wait for the answer to a search, in milliseconds")
    int readTimeout() default 4_000;

    @AttributeDefinition(description = "Karaf's LDAP cache of users and groups (Halley caches successful logins itself)")
    boolean cache() default false;

    @AttributeDefinition(description = "Ignore the referrals Active Directory answers some searches with")
    boolean ignorePartialResultException() default false;

    @AttributeDefinition(description = "ldaps only: a truststore file (PKCS12 or JKS) with the directory's CA; "
            + "empty trusts the JVM's default CAs")
    String ssl_truststore() default "";

    @AttributeDefinition(description = "The truststore's password", type = AttributeType.PASSWORD)
    String ssl_truststorePassword() default "";

    @AttributeDefinition(description = "The truststore's type: PKCS12 or JKS")
    String ssl_truststoreType() default "PKCS12";

    @AttributeDefinition(description = "The TLS protocol: TLS (the JVM's best), TLSv1.3, TLSv1.2")
    String ssl_protocol() default "TLS";
}
