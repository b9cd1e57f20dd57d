package org.mipfed.manager.join;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.security.Role;
import org.mipfed.manager.ca.CertificateAuthority;
import org.mipfed.manager.replication.ManagerReplication;
import org.mipfed.manager.state.ManagerRecord;
import org.mipfed.manager.state.StateStore;
import org.mipfed.proto.v1.AddManagerRequest;
import org.mipfed.proto.v1.AddManagerResponse;
import org.mipfed.proto.v1.ManagerJoinGrpc;
import org.mipfed.proto.v1.ManagerJoinRequest;
import org.mipfed.proto.v1.ManagerJoinResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits a manager that presents the federation's manager token ({@code mipfed manager join}): signs its manager
 * certificate, then (on the leader) adds its Raft server to the managers' group and its address to the managers
 * nodes hold sessions to. A worker token is refused: a node token never makes a manager.
 */
public final class ManagerJoinService extends ManagerJoinGrpc.ManagerJoinImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(ManagerJoinService.class);
    /** A joining manager's certificate lives as long as the first manager's. */
    static final Duration MANAGER_CERTIFICATE_VALIDITY = Duration.ofDays(825);
    /** How long the new member may take to catch up (a snapshot install on a busy machine) and the change to commit. */
    static final long ADD_TIMEOUT_MILLIS = 120_000;

    private final Supplier<CertificateAuthority> ca;
    private final JoinTokens tokens;
    private final String federationId;
    private final Duration nodeCertificateValidity;
    private final ManagerReplication replication;
    private final StateStore store;
    private final Supplier<ManagerRecord> self;
    private final Runnable grown;

    /**
     * @param ca the CA of the certificate this manager presents (the one the manager token's digest names)
     * @param self this manager as nodes reach it (put into the managers' list when it was still empty)
     * @param grown run after a manager was added (this manager keeps the Raft port it listens on)
     */
    public ManagerJoinService(
            Supplier<CertificateAuthority> ca,
            JoinTokens tokens,
            String federationId,
            Duration nodeCertificateValidity,
            ManagerReplication replication,
            StateStore store,
            Supplier<ManagerRecord> self,
            Runnable grown) {
        this.ca = requireNonNull(ca, "ca is null");
        this.tokens = requireNonNull(tokens, "tokens is null");
        this.federationId = requireNonNull(federationId, "federationId is null");
        this.nodeCertificateValidity = requireNonNull(nodeCertificateValidity, "nodeCertificateValidity is null");
        this.replication = requireNonNull(replication, "replication is null");
        this.store = requireNonNull(store, "store is null");
        this.self = requireNonNull(self, "self is null");
        this.grown = requireNonNull(grown, "grown is null");
    }

    @Override
    public void join(ManagerJoinRequest request, StreamObserver<ManagerJoinResponse> response) {
        if (!managerToken(request.getToken(), request.getAdvertiseAddr(), response)) {
            return;
        }
        String host = request.getAdvertiseAddr().strip();
        if (host.isEmpty() || host.contains(" ") || host.contains("/")) {
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("The new manager's advertise address '" + host
                            + "' is not a host name or IP address (--advertise-addr).")
                    .asRuntimeException());
            return;
        }
        CertificateAuthority signer = ca.get();
        X509Certificate certificate;
        try {
            certificate = signer.signManagerCsr(
                    request.getCsrDer().toByteArray(), List.of(host), MANAGER_CERTIFICATE_VALIDITY);
        } catch (RuntimeException e) {
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("The certificate request is not valid: " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        try {
            response.onNext(ManagerJoinResponse.newBuilder()
                    .setFederationId(federationId)
                    .setCertificateDer(ByteString.copyFrom(certificate.getEncoded()))
                    .setCaCertificateDer(
                            ByteString.copyFrom(signer.certificate().getEncoded()))
                    .setNodeCertificateValiditySeconds(nodeCertificateValidity.toSeconds())
                    .build());
            response.onCompleted();
            LOG.info("issued a manager certificate to the manager joining at {}", host);
        } catch (CertificateEncodingException e) {
            response.onError(Status.INTERNAL
                    .withDescription("cannot encode the certificate")
                    .asRuntimeException());
        }
    }

    @Override
    public void add(AddManagerRequest request, StreamObserver<AddManagerResponse> response) {
        if (!managerToken(request.getToken(), request.getRaftAddress(), response)) {
            return;
        }
        if (!replication.isLeader()) {
            String leader = replication.leaderId().orElse(null);
            Optional<ManagerRecord> record = leader == null
                    ? Optional.empty()
                    : store.get().managers().stream()
                            .filter(m -> m.id().equals(leader))
                            .findFirst();
            response.onNext(AddManagerResponse.newBuilder()
                    .setAdded(false)
                    .setLeaderAddress(record.map(ManagerRecord::address).orElse(""))
                    .setMessage(
                            leader == null
                                    ? "The managers have no leader at the moment; try again in a few seconds."
                                    : "This manager is not the managers' leader; the leader is " + leader
                                            + record.map(r -> " at " + r.address())
                                                    .orElse(""))
                    .build());
            response.onCompleted();
            return;
        }
        try {
            // the managers' list nodes follow: this manager first, if the list was still empty (a group of one)
            ManagerRecord me = self.get();
            store.update(s -> s.managers().isEmpty() ? s.withManagers(List.of(me)) : s);
            replication.addMember(request.getMemberId(), request.getRaftAddress(), ADD_TIMEOUT_MILLIS);
            grown.run();
            if (known(request.getAddress()) && known(request.getHttpAddress())) {
                ManagerRecord joined =
                        new ManagerRecord(request.getMemberId(), request.getAddress(), request.getHttpAddress());
                store.update(s -> s.managers().contains(joined) ? s : s.withManagers(replaced(s.managers(), joined)));
            }
        } catch (Problem e) {
            response.onError(
                    Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT
                    .withDescription("Cannot add the manager: " + e.getMessage())
                    .asRuntimeException());
            return;
        } catch (RuntimeException e) {
            LOG.warn("adding manager {} failed", request.getMemberId(), e);
            response.onError(Status.UNAVAILABLE
                    .withDescription("Cannot add the manager " + request.getMemberId() + ": " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        response.onNext(AddManagerResponse.newBuilder()
                .setAdded(true)
                .setMessage("manager " + request.getMemberId() + " joined the managers' group")
                .build());
        response.onCompleted();
    }

    /** {@code managers} with {@code record} in place of the one of the same id, or added at the end. */
    public static List<ManagerRecord> replaced(List<ManagerRecord> managers, ManagerRecord record) {
        List<ManagerRecord> out = new ArrayList<>();
        boolean found = false;
        for (ManagerRecord m : managers) {
            if (m.id().equals(record.id())) {
                out.add(record);
                found = true;
            } else {
                out.add(m);
            }
        }
        if (!found) {
            out.add(record);
        }
        return out;
    }

    private static boolean known(String hostPort) {
        return !hostPort.isBlank() && !hostPort.endsWith(":0");
    }

    /** Whether {@code token} is the current manager token; answers the refusal (saying which token it is) if not. */
    private boolean managerToken(String token, String who, StreamObserver<?> response) {
        Optional<Role> role = tokens.roleOf(token);
        if (role.isPresent() && role.get() == Role.MANAGER) {
            return true;
        }
        String why = role.isPresent()
                ? "This is the federation's worker token: it joins a hospital node, never a manager. Add a manager "
                        + "with the manager token: mipfed join-token manager"
                : "The token is not the current manager token of this federation (wrong or rotated token). Ask the "
                        + "manager's administrator for it: mipfed join-token manager";
        LOG.warn("manager join refused for '{}': {}", who, role.isPresent() ? "a worker token" : "not a current token");
        response.onError(Status.PERMISSION_DENIED.withDescription(why).asRuntimeException());
        return false;
    }
}
