package io.halley.auth.ldap.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.apache.karaf.jaas.config.KeystoreInstance;

/**
 * The directory's CA certificates, offered to Karaf's keystore manager, which builds the
 * LDAP module's TLS socket factory from a keystore instance named in its options. Trust
 * only: the realm presents no client certificate.
 */
final class TrustStore implements KeystoreInstance {

    private final String name;
    private final KeyStore store;

    TrustStore(String name, KeyStore store) {
        this.name = name;
        this.store = store;
    }

    static TrustStore load(String name, Path file, String type, char[] password) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.length == 0 ? null : password);
            if (store.size() == 0) {
                throw new IllegalArgumentException("the truststore " + file + " holds no certificate");
            }
            return new TrustStore(name, store);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the truststore " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getRank() {
        return 0;
    }

    @Override
    public String[] listTrustCertificates() {
        try {
            List<String> aliases = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isCertificateEntry(alias)) {
                    aliases.add(alias);
                }
            }
            return aliases.toArray(String[]::new);
        } catch (KeyStoreException e) {
            return new String[0];
        }
    }

    @Override
    public Certificate getCertificate(String alias) {
        try {
            return store.getCertificate(alias);
        } catch (KeyStoreException e) {
            return null;
        }
    }

    @Override
    public String getCertificateAlias(Certificate cert) {
        try {
            return store.getCertificateAlias(cert);
        } catch (KeyStoreException e) {
            return null;
        }
    }

    @Override
    public Certificate[] getCertificateChain(String alias) {
        return null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return null;
    }

    @Override
    public boolean isKeystoreLocked() {
        return false;
    }

    @Override
    public boolean isKeyLocked(String keyAlias) {
        return false;
    }

    @Override
    public KeyManager[] getKeyManager(String algorithm, String keyAlias) {
        return null;
    }

    @Override
    public TrustManager[] getTrustManager(String algorithm) throws KeyStoreException, NoSuchAlgorithmException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(
                algorithm == null ? TrustManagerFactory.getDefaultAlgorithm() : algorithm);
        factory.init(store);
        return factory.getTrustManagers();
    }
}
