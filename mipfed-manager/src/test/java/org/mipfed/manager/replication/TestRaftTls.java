package org.mipfed.manager.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mipfed.core.security.KeyPairs;
import org.mipfed.core.security.Role;
import org.mipfed.manager.FederationInit;
import org.mipfed.manager.ca.FederationCa;
import org.mipfed.manager.state.ManagerPaths;
import org.mipfed.node.tls.Csr;

/** Raft between managers admits managers of the federation only: never a node, never another federation. */
class TestRaftTls {
    @TempDir
    Path dir;

    @Test
    void raftAcceptsAManagerCertificateOfTheFederationAndRefusesANodes() throws Exception {
        FederationCa ca = federation("a");
        X509ExtendedTrustManager trust = RaftTls.trustManager(ca, federationId("a"));
        X509ExtendedKeyManager keys = RaftTls.keyManager(ca);

        // this manager's own identity, presented as client and as server, is what another manager accepts
        String alias = keys.chooseEngineClientAlias(new String[] {"EC"}, null, null);
        assertThat(alias).isNotNull().isEqualTo(keys.chooseEngineServerAlias("EC", null, null));
        X509Certificate[] chain = keys.getCertificateChain(alias);
        assertThatCode(() -> trust.checkClientTrusted(chain, "ECDHE_ECDSA")).doesNotThrowAnyException();
        assertThatCode(() -> trust.checkServerTrusted(chain, "ECDHE_ECDSA")).doesNotThrowAnyException();

        // a node's certificate from the same CA is refused: no node speaks Raft
        KeyPair nodeKey = KeyPairs.generate();
        X509Certificate node = ca.joinCa().signNodeCsr(Csr.create(nodeKey, "h"), "n1", Role.WORKER, Duration.ofDays(1));
        X509Certificate[] nodeChain = {node, ca.joinCa().certificate()};
        assertThatThrownBy(() -> trust.checkClientTrusted(nodeChain, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);

        // a manager of another federation is refused too
        FederationCa other = federation("b");
        X509ExtendedKeyManager otherKeys = RaftTls.keyManager(other);
        X509Certificate[] otherChain =
                otherKeys.getCertificateChain(otherKeys.chooseEngineClientAlias(new String[] {"EC"}, null, null));
        assertThat(otherChain).isNotNull();
        assertThatThrownBy(() -> trust.checkClientTrusted(otherChain, "ECDHE_ECDSA"))
                .isInstanceOf(CertificateException.class);
        assertThat(List.of(trust.getAcceptedIssuers()))
                .containsExactly(ca.joinCa().certificate());
    }

    private String federationId(String name) {
        return FederationInit.config(new ManagerPaths(dir.resolve(name))).federationId();
    }

    private FederationCa federation(String name) {
        ManagerPaths paths = new ManagerPaths(dir.resolve(name));
        FederationInit.init(paths, "localhost", 0, 0, "127.0.0.1");
        return FederationCa.load(paths, "localhost");
    }
}
