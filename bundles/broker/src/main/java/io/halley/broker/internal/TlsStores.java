package io.halley.broker.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Collections;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.apache.activemq.broker.SslContext;

/**
 * Reads the TLS connectors' key and trust stores named in the configuration, before the
 * broker is built: a store that cannot be read stops the start with a message that
 * says which file and why, and nothing is left half started. The stores are handed to
 * the broker as its own {@link SslContext}; no {@code javax.net.ssl.*} system property
 * is read or set.
 */
final class TlsStores {

    private TlsStores() {
    }

    /** @return whether the configuration asks for a TLS connector */
    static boolean wanted(BrokerConfig config) {
        return config.sslPort() > 0 || config.stompSslPort() > 0;
    }

    /**
     * @return the broker's TLS context
     * @throws IllegalStateException naming the store and the reason when a store cannot be used
     */
    static SslContext load(BrokerConfig config) {
        if (config.keyStore().isBlank()) {
            throw new IllegalStateException("TLS connectors (sslPort " + config.sslPort() + ", stompSslPort "
                    + config.stompSslPort() + ") need a keyStore");
        }
        if (config.needClientAuth() && config.trustStore().isBlank()) {
            throw new IllegalStateException("needClientAuth=true needs a trustStore with the clients' certificates");
        }
        String type = config.keyStoreType().isBlank() ? "PKCS12" : config.keyStoreType().trim();
        KeyStore keys = read("keyStore", config.keyStore(), type, config.keyStorePassword());
        try {
            boolean hasKey = false;
            for (String alias : Collections.list(keys.aliases())) {
                hasKey |= keys.isKeyEntry(alias);
            }
            if (!hasKey) {
                throw new IllegalStateException("keyStore " + config.keyStore().trim() + " holds no private key");
            }
            char[] keyPassword = (config.keyPassword().isEmpty() ? config.keyStorePassword() : config.keyPassword())
                    .toCharArray();
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, keyPassword);
            TrustManager[] trustManagers = null;
            if (!config.trustStore().isBlank()) {
                KeyStore trusted = read("trustStore", config.trustStore(), type, config.trustStorePassword());
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(trusted);
                trustManagers = factory.getTrustManagers();
            }
            SslContext context = new SslContext(keyManagers.getKeyManagers(), trustManagers, new SecureRandom());
            // fail here, not when the first connector binds
            context.getSSLContext();
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("keyStore " + config.keyStore().trim() + " (" + type
                    + ") cannot be used: " + e.getMessage(), e);
        }
    }

    private static KeyStore read(String what, String file, String type, String password) {
        Path path = Path.of(file.trim());
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            return store;
        } catch (NoSuchFileException e) {
            throw new IllegalStateException(what + " " + path + " does not exist", e);
        } catch (IOException | GeneralSecurityException e) {
            // a wrong password shows as an IOException whose cause says so
            String reason = e.getCause() instanceof java.security.UnrecoverableKeyException
                    ? "wrong password" : e.getMessage();
            throw new IllegalStateException(what + " " + path + " (" + type + ") cannot be read: " + reason, e);
        }
    }
}
