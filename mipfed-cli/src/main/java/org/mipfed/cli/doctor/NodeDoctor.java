package org.mipfed.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors.FieldDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.mipfed.core.json.Json;
import org.mipfed.core.security.Pem;
import org.mipfed.node.NodeConfig;
import org.mipfed.node.NodePaths;
import org.mipfed.node.control.ControlClient;
import org.mipfed.node.privacy.PrivacyFloors;
import org.mipfed.node.privacy.PrivacyPolicy;
import org.mipfed.node.store.DataStore;
import org.mipfed.node.store.DataStores;
import org.mipfed.node.store.StoredDataModel;

/** {@code mipfed doctor} on a node's data directory: from its configuration to its session, store and audit log. */
final class NodeDoctor {
    /** A clock further off than this from the manager's makes certificates and audit times disagree. */
    static final long MAX_CLOCK_OFFSET_MILLIS = 10_000;

    private final NodePaths paths;

    NodeDoctor(NodePaths paths) {
        this.paths = paths;
    }

    List<Check> run() {
        List<Check> checks = new ArrayList<>();
        NodeConfig config;
        try {
            config = NodeConfig.load(paths);
            checks.add(Check.ok(
                    "configuration",
                    paths.config() + ": node " + config.nodeId() + " of federation " + config.federationId()));
        } catch (RuntimeException e) {
            checks.add(Check.fail(
                    "configuration",
                    "cannot read " + paths.config() + " (" + e.getMessage() + ")",
                    "join a federation first (mipfed node join --data-dir " + paths.dataDir()
                            + " --token <token> <manager>:2377), or repair node.json as the message says"));
            checks.add(Checks.diskSpace(paths.dataDir()));
            return checks;
        }
        String manager = config.manager();
        String host = Checks.host(manager);
        int port = Checks.port(manager);
        String rejoin =
                "if the manager moved, point its old name at the new address (DNS or /etc/hosts), or join again:"
                        + " mipfed node join --data-dir " + paths.dataDir() + " --token <token> <manager>:2377";
        Check resolves =
                Checks.resolves("manager address", host, "check the name " + host + " (DNS, /etc/hosts); " + rejoin);
        checks.add(resolves);
        Check answers = resolves.ok()
                ? Checks.answers(
                        "manager port",
                        host,
                        port,
                        "start the manager (systemctl start mipfed-manager on its machine), and let this machine reach"
                                + " TCP " + port + " outbound (firewall, proxy); " + rejoin)
                : Check.fail("manager port", "not tried: " + host + " does not resolve", "fix the address first");
        checks.add(answers);

        X509Certificate certificate = null;
        PrivateKey key = null;
        List<X509Certificate> trusted = List.of();
        try {
            certificate = Pem.readCertificate(paths.certificate());
            key = Pem.readPrivateKey(paths.key());
            trusted = Pem.readCertificates(paths.caCertificate());
        } catch (RuntimeException e) {
            checks.add(Check.fail(
                    "node certificate",
                    "cannot read the node's key or certificates in "
                            + paths.certificate().getParent() + " (" + e.getMessage() + ")",
                    "restore them from a backup of the data directory, or join again with a new token"));
        }
        if (certificate != null) {
            checks.add(Checks.certificate(
                    "node certificate",
                    certificate,
                    "the node renews its certificate over its session, so it has not reached the manager for long:"
                            + " fix the session; once expired, join again with a new token (mipfed node join)"));
            checks.add(
                    answers.ok()
                            ? handshake(host, port, key, certificate, trusted)
                            : Check.fail(
                                    "TLS and pinned CA",
                                    "not tried: the manager's port does not answer",
                                    "fix the manager's address or port first"));
        }

        JsonNode status = runningStatus();
        if (status == null) {
            checks.add(Check.fail(
                    "node process",
                    "no node runs on " + paths.dataDir() + " (its control socket does not answer)",
                    "start it: systemctl start mipfed-node (or mipfed node run --data-dir " + paths.dataDir()
                            + "); see journalctl -u mipfed-node for why it stopped"));
            checks.add(Check.fail(
                    "clock",
                    "not compared: the manager tells its time over the node's session",
                    "start the node and run mipfed doctor again"));
            checks.add(storeOffline(config));
        } else {
            boolean connected = status.path("session_connected").asBoolean();
            checks.add(
                    connected
                            ? Check.ok("node process", "running; its session to " + manager + " is up")
                            : Check.fail(
                                    "node process",
                                    "running, but its session to " + manager + " is not up",
                                    "see the checks above and journalctl -u mipfed-node for the manager's refusal"));
            checks.add(clock(status));
            checks.add(storeOnline(status));
        }
        checks.add(Checks.diskSpace(paths.dataDir()));
        checks.add(privacy(config));
        checks.add(Checks.audit(
                paths.auditLog(),
                config.nodeId(),
                "find out who changed it (mipfed audit verify names the first broken line); keep the broken log as"
                        + " evidence, then move it aside so that the node starts a new one"));
        return checks;
    }

    /** The TLS 1.3 handshake the session makes: the node's certificate, and the manager's checked against the CAs pinned at join. */
    private Check handshake(
            String host, int port, PrivateKey key, X509Certificate certificate, List<X509Certificate> trusted) {
        String name = "TLS and pinned CA";
        try {
            char[] none = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("node", key, none, new Certificate[] {certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, none);
            KeyStore cas = KeyStore.getInstance("PKCS12");
            cas.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                cas.setCertificateEntry("ca" + i, trusted.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(cas);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(new InetSocketAddress(host, port), Checks.CONNECT_TIMEOUT_MILLIS);
                socket.setSoTimeout(Checks.CONNECT_TIMEOUT_MILLIS);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setApplicationProtocols(new String[] {"h2"});
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                X509Certificate peer = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                return Check.ok(
                        name,
                        "TLS 1.3 with " + peer.getSubjectX500Principal().getName() + ", signed by a CA pinned at join ("
                                + trusted.size() + " trusted)");
            }
        } catch (javax.net.ssl.SSLException e) {
            return Check.fail(
                    name,
                    "the handshake with " + host + ":" + port + " failed (" + e.getMessage() + ")",
                    "the server there is not this federation's manager, or its CA changed without this node: check"
                            + " the address; if the federation was re-created, join again with a new token");
        } catch (IOException | GeneralSecurityException e) {
            return Check.fail(
                    name,
                    "cannot try the handshake with " + host + ":" + port + " (" + e.getMessage() + ")",
                    "check the node's key and certificates in "
                            + paths.certificate().getParent());
        }
    }

    private JsonNode runningStatus() {
        AtomicReference<JsonNode> status = new AtomicReference<>();
        try {
            var answered = ControlClient.call(
                    paths.controlSocket(), Json.mapper().createObjectNode().put("op", "status"), status::set);
            return answered.isPresent() ? status.get() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Check clock(JsonNode status) {
        if (!status.has("clock_offset_ms")) {
            return Check.fail(
                    "clock",
                    "not compared: the manager has not welcomed the node (or is older than this node)",
                    "fix the session to the manager, then run mipfed doctor again");
        }
        long offset = status.path("clock_offset_ms").asLong();
        String finding = "the manager's clock is " + Math.abs(offset) + " ms " + (offset >= 0 ? "ahead of" : "behind")
                + " this machine's";
        if (Math.abs(offset) > MAX_CLOCK_OFFSET_MILLIS) {
            return Check.fail(
                    "clock",
                    finding,
                    "synchronise both clocks with NTP (timedatectl set-ntp true, or chrony): certificates and audit"
                            + " times depend on them");
        }
        return Check.ok("clock", finding);
    }

    private Check storeOnline(JsonNode status) {
        if (!status.path("store_ok").asBoolean()) {
            return Check.fail(
                    "store",
                    "the running node cannot query its store ("
                            + status.path("store_error").asText("no answer to SELECT 1") + ")",
                    "see the node's log (journalctl -u mipfed-node); for PostgreSQL check the server, the user and"
                            + " the password in node.json's store URL");
        }
        return datasets(status.path("data_models"));
    }

    private Check storeOffline(NodeConfig config) {
        try (DataStore store = DataStores.open(config.store(), paths.dataDir())) {
            var models = Json.mapper().createObjectNode();
            for (StoredDataModel m : store.dataModels()) {
                var datasets = models.putArray(m.id());
                m.datasets().forEach(d -> datasets.add(d.code()));
            }
            return datasets(models);
        } catch (RuntimeException e) {
            String where = config.store() == null
                    ? paths.dataDir().resolve(DataStores.DUCKDB_FILE).toString()
                    : config.store().replaceAll("password=[^&]*", "password=***");
            return Check.fail(
                    "store",
                    "cannot open " + where + " (" + e.getMessage() + ")",
                    config.store() == null
                            ? "the DuckDB file must be readable and writable by the node's user (mipfed) and not"
                                    + " damaged: restore it from a backup, or import the data again (mipfed data import)"
                            : "check that the PostgreSQL server runs and that node.json's store URL (host, database,"
                                    + " user, password) is right");
        }
    }

    private static Check datasets(JsonNode models) {
        if (models.isEmpty()) {
            return Check.fail(
                    "store",
                    "it opens but holds no data model",
                    "import data: mipfed data import --data-dir <node dir> <CDEsMetadata.json> <file.csv>…");
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : models.properties()) {
            List<String> names = new ArrayList<>();
            e.getValue().forEach(d -> names.add(d.asText()));
            parts.add(e.getKey() + " (" + String.join(", ", names) + ")");
        }
        return Check.ok("store", "opens and holds " + String.join("; ", parts));
    }

    private static Check privacy(NodeConfig config) {
        PrivacyPolicy policy = config.privacy();
        Map<String, String> below = PrivacyFloors.below(policy);
        var mine = policy.toProto();
        var defaults = PrivacyPolicy.DEFAULT.toProto();
        List<String> differences = new ArrayList<>();
        for (FieldDescriptor field : mine.getDescriptorForType().getFields()) {
            Object value = mine.getField(field);
            Object standard = defaults.getField(field);
            if (!value.equals(standard)) {
                differences.add(field.getName() + " " + value + " (default " + standard + ")");
            }
        }
        String finding =
                differences.isEmpty() ? "the defaults" : "differs from the defaults: " + String.join(", ", differences);
        if (!below.isEmpty()) {
            return Check.fail(
                    "privacy policy",
                    finding + "; " + String.join("; ", below.values()),
                    "raise " + String.join(", ", below.keySet()) + " in node.json's privacy section unless the"
                            + " hospital's data protection officer accepted the risk");
        }
        return Check.ok("privacy policy", finding);
    }

    static boolean exists(NodePaths paths) {
        return Files.isRegularFile(paths.config());
    }
}
