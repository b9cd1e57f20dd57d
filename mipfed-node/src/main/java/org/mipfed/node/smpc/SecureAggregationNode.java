package org.mipfed.node.smpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.security.Pem;
import org.mipfed.core.smpc.MaskedSum;
import org.mipfed.core.smpc.PairwiseSecret;
import org.mipfed.core.smpc.SelfMask;
import org.mipfed.core.smpc.ShamirSecretSharing;
import org.mipfed.core.smpc.SignedSmpcKey;
import org.mipfed.core.smpc.SmpcProtocol;
import org.mipfed.core.smpc.SummableResults;
import org.mipfed.node.tls.NodeCredentials;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.Refusal;
import org.mipfed.proto.v1.SmpcMask;
import org.mipfed.proto.v1.SmpcMasked;
import org.mipfed.proto.v1.SmpcNodeKeys;
import org.mipfed.proto.v1.SmpcReply;
import org.mipfed.proto.v1.SmpcRevealed;
import org.mipfed.proto.v1.SmpcRevealedShare;
import org.mipfed.proto.v1.SmpcSealedShare;
import org.mipfed.proto.v1.SmpcShares;
import org.mipfed.proto.v1.SmpcStep;
import org.mipfed.proto.v1.SmpcUnmask;

/**
 * The node's side of secure aggregation ({@code flags.smpc}): it keeps one masking session per
 * analysis and answers its steps. The node, not the manager, enforces what makes the protocol safe:
 * <ul>
 *   <li>peers' keys count only when signed by a certificate of a CA the node trusts, for this session;
 *   <li>a round is masked once (two vectors under one mask would give away their difference);
 *   <li>for each peer it reveals either the self-mask seed share (the peer answered) or the mask-key
 *       share (the peer dropped), never both, and never its own key;
 *   <li>it reveals nothing unless at least the Shamir threshold of nodes answered the round, and masks
 *       nothing for a round with fewer participants than that.
 * </ul>
 * A step that breaks a rule is refused with rule {@code smpc} and a message that says which.
 */
public final class SecureAggregationNode {
    /** Sessions live at most as long as the longest analysis (flags.timeout is at most an hour). */
    static final Duration SESSION_LIFETIME = Duration.ofMinutes(65);

    static final int MAX_SESSIONS = 1000;
    public static final String RULE = "smpc";

    private final String nodeId;
    private final Supplier<NodeCredentials.Snapshot> credentials;
    private final Function<String, DataModel> dataModels;
    private final Map<String, Session> sessions = new LinkedHashMap<>();

    /**
     * @param dataModels the data model of an id ("code:version"), or null when the node has none
     */
    public SecureAggregationNode(
            String nodeId, Supplier<NodeCredentials.Snapshot> credentials, Function<String, DataModel> dataModels) {
        this.nodeId = requireNonNull(nodeId, "nodeId is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.dataModels = requireNonNull(dataModels, "dataModels is null");
    }

    /**
     * Answers one step. {@code compute} answers the plain primitive of a mask step (through the node's
     * privacy guard and audit log); its result is masked here and never leaves the node in the clear.
     */
    public PrimitiveResponse answer(PrimitiveRequest request, Function<PrimitiveRequest, PrimitiveResponse> compute) {
        PrimitiveResponse.Builder response = PrimitiveResponse.newBuilder().setRequestId(request.getRequestId());
        SmpcStep step = request.getSmpc();
        try {
            SmpcReply reply = switch (step.getStepCase()) {
                case ADVERTISE -> advertise(step);
                case SHARE_KEYS -> shareKeys(step);
                case MASK -> mask(request, compute, response);
                case UNMASK -> unmask(step);
                case STEP_NOT_SET -> throw new SmpcViolation("the secure-aggregation step names no step");
            };
            return reply == null ? response.build() : response.setSmpc(reply).build();
        } catch (SmpcViolation e) {
            return response.setRefusal(Refusal.newBuilder()
                            .setRule(RULE)
                            .setMessage(e.getMessage())
                            .setCallerError(false))
                    .build();
        }
    }

    private SmpcReply advertise(SmpcStep step) {
        List<String> participants = participants(step);
        if (!participants.contains(nodeId)) {
            throw new SmpcViolation("this node (" + nodeId + ") is not among the session's participants");
        }
        if (participants.size() < 2) {
            throw new SmpcViolation(
                    "secure aggregation needs at least two nodes: over one, the sum is that node's own answer");
        }
        NodeCredentials.Snapshot own = credentials.get();
        Session session;
        synchronized (sessions) {
            expire();
            if (sessions.containsKey(step.getSessionId())) {
                throw new SmpcViolation(
                        "session " + step.getSessionId() + " was already opened; a session's keys are advertised once");
            }
            if (sessions.size() >= MAX_SESSIONS) {
                throw new SmpcViolation("this node has " + MAX_SESSIONS
                        + " secure-aggregation sessions open; try again when some have ended");
            }
            session = new Session(step.getSessionId(), participants);
            sessions.put(session.id, session);
        }
        SignedSmpcKey seal = SignedSmpcKey.sign(
                SmpcProtocol.sealLabel(session.id), nodeId, session.sealKeys, own.certificate(), own.key());
        SignedSmpcKey mask = SignedSmpcKey.sign(
                SmpcProtocol.maskLabel(session.id), nodeId, session.maskKeys, own.certificate(), own.key());
        session.advertised = keys(seal, mask);
        return SmpcReply.newBuilder().setKeys(session.advertised).build();
    }

    private SmpcReply shareKeys(SmpcStep step) {
        Session session = session(step);
        synchronized (session) {
            if (session.sealPeers != null) {
                throw new SmpcViolation("the keys of session " + session.id + " were already shared");
            }
            if (!participants(step).equals(session.participants)) {
                throw new SmpcViolation("the participants of session " + session.id + " changed between its key steps");
            }
            Map<String, PublicKey> sealPeers = new HashMap<>();
            Map<String, PublicKey> maskPeers = new HashMap<>();
            List<X509Certificate> trusted = credentials.get().trusted();
            for (SmpcNodeKeys k : step.getShareKeys().getKeysList()) {
                if (!session.participants.contains(k.getNodeId()) || sealPeers.containsKey(k.getNodeId())) {
                    throw new SmpcViolation("the keys relayed for session " + session.id + " include node "
                            + k.getNodeId() + ", which is no participant or comes twice");
                }
                if (k.getNodeId().equals(nodeId) && !k.equals(session.advertised)) {
                    throw new SmpcViolation("the keys relayed as this node's own are not the ones it advertised");
                }
                X509Certificate certificate = certificate(k);
                sealPeers.put(
                        k.getNodeId(),
                        verify(
                                new SignedSmpcKey(
                                        k.getNodeId(),
                                        certificate,
                                        k.getSealKey().toByteArray(),
                                        k.getSealSignature().toByteArray()),
                                SmpcProtocol.sealLabel(session.id),
                                trusted));
                maskPeers.put(
                        k.getNodeId(),
                        verify(
                                new SignedSmpcKey(
                                        k.getNodeId(),
                                        certificate,
                                        k.getMaskKey().toByteArray(),
                                        k.getMaskSignature().toByteArray()),
                                SmpcProtocol.maskLabel(session.id),
                                trusted));
            }
            if (!sealPeers.keySet().equals(new HashSet<>(session.participants))) {
                throw new SmpcViolation("the keys relayed for session " + session.id
                        + " miss participants: every node's keys are needed");
            }
            int n = session.participants.size();
            int t = ShamirSecretSharing.threshold(n);
            List<ShamirSecretSharing.Share> keyShares =
                    ShamirSecretSharing.split(ShamirSecretSharing.fromPrivateKey(session.maskKeys.getPrivate()), n, t);
            List<ShamirSecretSharing.Share> seedShares =
                    ShamirSecretSharing.split(SelfMask.toSecret(session.seed), n, t);
            SmpcShares.Builder out = SmpcShares.newBuilder();
            for (int i = 0; i < n; i++) {
                String peer = session.participants.get(i);
                SmpcProtocol.SharePair pair = new SmpcProtocol.SharePair(keyShares.get(i), seedShares.get(i));
                if (peer.equals(nodeId)) {
                    session.held.put(nodeId, pair);
                    continue;
                }
                byte[] sealed = PairwiseSecret.derive(
                                session.id, nodeId, session.sealKeys.getPrivate(), peer, sealPeers.get(peer))
                        .seal(SmpcProtocol.plaintext(nodeId, peer, pair));
                out.addShares(SmpcSealedShare.newBuilder()
                        .setFrom(nodeId)
                        .setTo(peer)
                        .setSealed(ByteString.copyFrom(sealed)));
            }
            session.sealPeers = sealPeers;
            session.maskPeers = maskPeers;
            return SmpcReply.newBuilder().setShares(out).build();
        }
    }

    private SmpcReply mask(
            PrimitiveRequest request,
            Function<PrimitiveRequest, PrimitiveResponse> compute,
            PrimitiveResponse.Builder response) {
        SmpcStep step = request.getSmpc();
        SmpcMask mask = step.getMask();
        Session session = session(step);
        List<String> participants = participants(step);
        Map<String, PublicKey> peers = new HashMap<>();
        synchronized (session) {
            if (session.maskPeers == null) {
                throw new SmpcViolation("session " + session.id + " has no shared keys yet: its key steps come first");
            }
            if (mask.getRound() < 1 || session.rounds.containsKey(mask.getRound())) {
                throw new SmpcViolation("round " + mask.getRound() + " of session " + session.id
                        + " was already masked (or is not a round number); each round is masked once");
            }
            if (!participants.contains(nodeId) || !session.participants.containsAll(participants)) {
                throw new SmpcViolation(
                        "the participants of a round must be nodes of the session, this node among them");
            }
            for (String p : participants) {
                if (session.revealed.get(p) == Reveal.KEY) {
                    throw new SmpcViolation("node " + p + " dropped out of session " + session.id
                            + " and its key was revealed; it cannot take part again");
                }
            }
            if (participants.size() < session.threshold) {
                throw new SmpcViolation("a round needs at least " + session.threshold + " of the session's "
                        + session.participants.size() + " nodes; " + participants.size() + " were listed");
            }
            keepShares(session, mask.getSharesList());
            for (String p : participants) {
                if (!session.held.containsKey(p)) {
                    throw new SmpcViolation("this node holds no share from node " + p
                            + ", so it could not help remove its masks if it dropped");
                }
                peers.put(p, session.maskPeers.get(p));
            }
            session.rounds.put(mask.getRound(), Set.copyOf(participants));
        }
        PrimitiveRequest plain = request.toBuilder().clearSmpc().build();
        if (!SummableResults.summable(plain.getQuery())) {
            throw new SmpcViolation("the primitive " + plain.getQuery().getPrimitiveCase()
                    + " cannot be summed over nodes, so it is never masked");
        }
        DataModel model = dataModels.apply(plain.getQuery().getDataModel());
        PrimitiveResponse answer = compute.apply(plain);
        if (answer.hasRefusal()) {
            response.setRefusal(answer.getRefusal());
            return null;
        }
        if (model == null) {
            throw new SmpcViolation(
                    "this node has no data model " + plain.getQuery().getDataModel());
        }
        double[] flat;
        try {
            flat = SummableResults.flatten(model, plain.getQuery(), answer.getResult());
        } catch (IllegalArgumentException e) {
            throw new SmpcViolation("the answer cannot be masked: " + e.getMessage());
        }
        BigInteger[] masked = MaskedSum.mask(
                SmpcProtocol.roundId(session.id, mask.getRound()),
                nodeId,
                session.maskKeys.getPrivate(),
                peers,
                session.seed,
                flat);
        return SmpcReply.newBuilder()
                .setMasked(SmpcMasked.newBuilder().setVector(ByteString.copyFrom(MaskedSum.toBytes(masked))))
                .build();
    }

    private SmpcReply unmask(SmpcStep step) {
        Session session = session(step);
        SmpcUnmask unmask = step.getUnmask();
        synchronized (session) {
            Set<String> round = session.rounds.get(unmask.getRound());
            if (round == null) {
                throw new SmpcViolation("this node masked no round " + unmask.getRound() + " of session " + session.id
                        + ", so it reveals nothing for it");
            }
            Set<String> seeds = new HashSet<>(unmask.getSeedsOfList());
            Set<String> keys = new HashSet<>(unmask.getKeysOfList());
            Set<String> all = new HashSet<>(seeds);
            all.addAll(keys);
            if (all.size() != seeds.size() + keys.size() || !all.equals(round)) {
                throw new SmpcViolation("an unmasking step must name each node of round " + unmask.getRound()
                        + " once, as answered or as dropped");
            }
            if (keys.contains(nodeId) || !seeds.contains(nodeId)) {
                throw new SmpcViolation(
                        "this node answered round " + unmask.getRound() + "; it never reveals its own mask key");
            }
            if (seeds.size() < session.threshold) {
                throw new SmpcViolation("only " + seeds.size() + " nodes answered round " + unmask.getRound()
                        + "; at least " + session.threshold + " must have answered before any share is revealed");
            }
            for (String s : seeds) {
                if (session.revealed.get(s) == Reveal.KEY) {
                    throw new SmpcViolation("node " + s + "'s mask key was revealed earlier; its seed never will be");
                }
            }
            for (String k : keys) {
                if (session.revealed.get(k) == Reveal.SEED) {
                    throw new SmpcViolation(
                            "node " + k + "'s self-mask seed was revealed earlier; its mask key never will be");
                }
            }
            SmpcRevealed.Builder out = SmpcRevealed.newBuilder();
            for (String s : seeds) {
                session.revealed.put(s, Reveal.SEED);
                out.addShares(SmpcRevealedShare.newBuilder()
                        .setOfNode(s)
                        .setSeed(true)
                        .setShare(ByteString.copyFrom(session.held.get(s).seed().toBytes())));
            }
            for (String k : keys) {
                session.revealed.put(k, Reveal.KEY);
                out.addShares(SmpcRevealedShare.newBuilder()
                        .setOfNode(k)
                        .setSeed(false)
                        .setShare(ByteString.copyFrom(session.held.get(k).key().toBytes())));
            }
            return SmpcReply.newBuilder().setRevealed(out).build();
        }
    }

    private void keepShares(Session session, List<SmpcSealedShare> shares) {
        for (SmpcSealedShare s : shares) {
            if (!s.getTo().equals(nodeId) || session.held.containsKey(s.getFrom())) {
                continue;
            }
            PublicKey from = session.sealPeers.get(s.getFrom());
            if (from == null) {
                throw new SmpcViolation(
                        "a share relayed from " + s.getFrom() + ", who is no participant of session " + session.id);
            }
            try {
                byte[] plain = PairwiseSecret.derive(
                                session.id, nodeId, session.sealKeys.getPrivate(), s.getFrom(), from)
                        .open(s.getSealed().toByteArray());
                session.held.put(s.getFrom(), SmpcProtocol.open(plain, s.getFrom(), nodeId));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new SmpcViolation(
                        "the share relayed from node " + s.getFrom() + " does not open: " + e.getMessage());
            }
        }
    }

    private Session session(SmpcStep step) {
        synchronized (sessions) {
            expire();
            Session s = sessions.get(step.getSessionId());
            if (s == null) {
                throw new SmpcViolation("this node has no secure-aggregation session " + step.getSessionId()
                        + " (never opened, expired, or the node restarted); run the analysis again");
            }
            return s;
        }
    }

    private void expire() {
        Instant oldest = Instant.now().minus(SESSION_LIFETIME);
        sessions.values().removeIf(s -> s.opened.isBefore(oldest));
    }

    private static List<String> participants(SmpcStep step) {
        List<String> p = step.getParticipantsList();
        if (p.size() > SmpcProtocol.MAX_PARTICIPANTS) {
            throw new SmpcViolation(
                    "a session has at most " + SmpcProtocol.MAX_PARTICIPANTS + " nodes, not " + p.size());
        }
        for (int i = 1; i < p.size(); i++) {
            if (p.get(i - 1).compareTo(p.get(i)) >= 0) {
                throw new SmpcViolation("a step's participants must be sorted and distinct");
            }
        }
        return List.copyOf(p);
    }

    private static X509Certificate certificate(SmpcNodeKeys k) {
        try {
            return Pem.certificate(k.getCertificateDer().toByteArray());
        } catch (RuntimeException e) {
            throw new SmpcViolation("node " + k.getNodeId() + "'s keys come with no readable certificate");
        }
    }

    private static PublicKey verify(SignedSmpcKey key, String label, List<X509Certificate> trusted) {
        List<String> why = new ArrayList<>();
        for (X509Certificate ca : trusted) {
            try {
                return key.verify(label, ca);
            } catch (GeneralSecurityException e) {
                why.add(e.getMessage());
            }
        }
        throw new SmpcViolation("node " + key.nodeId() + "'s key does not verify: " + String.join("; ", why));
    }

    private static SmpcNodeKeys keys(SignedSmpcKey seal, SignedSmpcKey mask) {
        try {
            return SmpcNodeKeys.newBuilder()
                    .setNodeId(seal.nodeId())
                    .setCertificateDer(ByteString.copyFrom(seal.certificate().getEncoded()))
                    .setSealKey(ByteString.copyFrom(seal.publicKey()))
                    .setSealSignature(ByteString.copyFrom(seal.signature()))
                    .setMaskKey(ByteString.copyFrom(mask.publicKey()))
                    .setMaskSignature(ByteString.copyFrom(mask.signature()))
                    .build();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("the node's certificate cannot be encoded", e);
        }
    }

    private enum Reveal {
        SEED,
        KEY
    }

    private static final class Session {
        final String id;
        final List<String> participants;
        final int threshold;
        final Instant opened = Instant.now();
        final KeyPair sealKeys = SignedSmpcKey.newEphemeralKeyPair();
        final KeyPair maskKeys = SignedSmpcKey.newEphemeralKeyPair();
        final byte[] seed = SelfMask.newSeed();
        final Map<String, SmpcProtocol.SharePair> held = new HashMap<>();
        final Map<String, Reveal> revealed = new HashMap<>();
        final Map<Integer, Set<String>> rounds = new HashMap<>();
        SmpcNodeKeys advertised;
        Map<String, PublicKey> sealPeers;
        Map<String, PublicKey> maskPeers;

        Session(String id, List<String> participants) {
            if (id.isBlank() || id.length() > 100) {
                throw new SmpcViolation("a session id is 1 to 100 characters");
            }
            this.id = id;
            this.participants = participants;
            this.threshold = ShamirSecretSharing.threshold(participants.size());
        }
    }

    /** A step that breaks the protocol's rules: refused, named. */
    static final class SmpcViolation extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SmpcViolation(String message) {
            super(message, null, false, false);
        }
    }
}
