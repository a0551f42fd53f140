package io.halley.auth.ldap.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The truststore offered to Karaf's keystore manager for ldaps://. */
public class TrustStoreTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.getRoot().toPath().resolve("keytool.log").toFile()).start();
        assertTrue("keytool did not finish", p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("keytool " + command, 0, p.exitValue());
    }

    @Test
    public void theDirectorysCaIsTrusted() throws Exception {
        File dir = tmp.getRoot();
        String server = new File(dir, "server.p12").getPath();
        String cert = new File(dir, "ca.crt").getPath();
        String trust = new File(dir, "trust.p12").getPath();
        keytool("-genkeypair", "-alias", "ldap", "-keyalg", "EC", "-dname", "CN=ldap.example.com", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", server, "-storepass", "changeit");
        keytool("-exportcert", "-alias", "ldap", "-keystore", server, "-storepass", "changeit", "-file", cert);
        keytool("-importcert", "-noprompt", "-alias", "ldap-ca", "-file", cert, "-storetype", "PKCS12",
                "-keystore", trust, "-storepass", "trustpw");

        TrustStore store = TrustStore.load("halley-ldap-halley", Path.of(trust), "PKCS12", "trustpw".toCharArray());
        assertEquals("halley-ldap-halley", store.getName());
        assertEquals(List.of("ldap-ca"), List.of(store.listTrustCertificates()));
        TrustManager[] managers = store.getTrustManager(null);
        X509TrustManager x509 = (X509TrustManager) managers[0];
        assertEquals(1, x509.getAcceptedIssuers().length);
        assertEquals("ldap-ca", store.getCertificateAlias(store.getCertificate("ldap-ca")));

        try {
            TrustStore.load("x", Path.of(trust), "PKCS12", "wrong".toCharArray());
            fail("opened with a wrong password");
        } catch (IllegalArgumentException expected) {
            // the component does not activate, and says why
        }
    }

    @Test
    public void anEmptyOrMissingTruststoreIsRefused() throws Exception {
        Path empty = tmp.getRoot().toPath().resolve("empty.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (OutputStream out = Files.newOutputStream(empty)) {
            ks.store(out, "pw".toCharArray());
        }
        for (Path p : new Path[] {empty, tmp.getRoot().toPath().resolve("missing.p12")}) {
            try {
                TrustStore.load("x", p, "PKCS12", "pw".toCharArray());
                fail("loaded " + p);
            } catch (IllegalArgumentException expected) {
                // logged by DS as the reason the realm did not start
            }
        }
    }
}
