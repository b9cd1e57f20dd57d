package org.mipfed.manager.analysis;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.mipfed.core.model.DataModel;
import org.mipfed.core.problem.Problem;
import org.mipfed.core.problem.ProblemType;
import org.mipfed.core.smpc.MaskedSum;
import org.mipfed.core.smpc.SelfMask;
import org.mipfed.core.smpc.ShamirSecretSharing;
import org.mipfed.core.smpc.SignedSmpcKey;
import org.mipfed.core.smpc.SmpcProtocol;
import org.mipfed.core.smpc.SummableResults;
import org.mipfed.manager.registry.NodeUnavailableException;
import org.mipfed.proto.v1.PrimitiveQuery;
import org.mipfed.proto.v1.PrimitiveRequest;
import org.mipfed.proto.v1.PrimitiveResponse;
import org.mipfed.proto.v1.PrimitiveResult;
import org.mipfed.proto.v1.SmpcAdvertise;
import org.mipfed.proto.v1.SmpcMask;
import org.mipfed.proto.v1.SmpcNodeKeys;
import org.mipfed.proto.v1.SmpcReply;
import org.mipfed.proto.v1.SmpcRevealedShare;
import org.mipfed.proto.v1.SmpcSealedShare;
import org.mipfed.proto.v1.SmpcShareKeys;
import org.mipfed.proto.v1.SmpcStep;
import org.mipfed.proto.v1.SmpcUnmask;

/**
 * The manager's side of secure aggregation ({@code flags.smpc}) for one analysis: it relays the nodes'
 * signed keys and sealed shares, collects one masked vector per node and round, and learns only their
 * sum. What it can learn is bounded by the nodes (see the node's {@code SecureAggregationNode}); this
 * class only runs the rounds:
 * <ol>
 *   <li>advertise: every node sends two ephemeral keys signed by its certificate's key;
 *   <li>share keys: every node gets everyone's keys and returns its secrets' shares, sealed to each peer;
 *   <li>each primitive is a round: every node answers with a masked vector (the shares sealed to it
 *       ride along with its first round);
 *   <li>the first round (and any round a node dropped in) is followed by an unmasking step: the
 *       survivors reveal their shares of the survivors' self-mask seeds and of the dropped nodes' mask
 *       keys, enough to remove every mask but not to isolate any node's vector.
 * </ol>
 * A node that drops in the first round is recovered (with {@code allow_partial}: the analysis goes on
 * without its datasets); a node lost later, or any drop without {@code allow_partial}, ends the analysis
 * with a 503 — or, with {@code allow_partial}, restarts it without the node.
 */
public final class SecureAggregation {
    /** How the manager reaches a node: an answer, or a future failed with {@link NodeUnavailableException}. */
    public interface Transport {
        CompletableFuture<PrimitiveResponse> send(String nodeId, PrimitiveRequest request);
    }

    private final String sessionId;
    private final DataModel model;
    private final List<String> participants;
    private final String requester;
    private final Transport transport;
    private final Function<String, String> names;
    private final long deadlineNanos;
    private final boolean allowPartial;
    private final Map<String, SmpcNodeKeys> keys = new LinkedHashMap<>();
    private final Map<String, List<SmpcSealedShare>> sharesFor = new HashMap<>();
    private final Map<String, byte[]> seeds = new HashMap<>();
    private final Set<String> dropped = new LinkedHashSet<>();
    private int round;

    /**
     * @param nodeIds the nodes of the analysis (at least two)
     * @param names a node's name for messages (its alias)
     * @param allowPartial whether the analysis may go on without a node that drops
     */
    public SecureAggregation(
            String sessionId,
            DataModel model,
            List<String> nodeIds,
            String requester,
            Transport transport,
            Function<String, String> names,
            long deadlineNanos,
            boolean allowPartial) {
        this.sessionId = requireNonNull(sessionId, "sessionId is null");
        this.model = requireNonNull(model, "model is null");
        this.participants = nodeIds.stream().sorted().toList();
        if (participants.size() < 2) {
            throw new IllegalArgumentException("secure aggregation needs at least two nodes");
        }
        this.requester = requireNonNull(requester, "requester is null");
        this.transport = requireNonNull(transport, "transport is null");
        this.names = requireNonNull(names, "names is null");
        this.deadlineNanos = deadlineNanos;
        this.allowPartial = allowPartial;
    }

    /** Nodes that dropped in the first round and were recovered: the analysis went on without them. */
    public Set<String> dropped() {
        return Set.copyOf(dropped);
    }

    /**
     * One round: every active node answers its query (they differ only in datasets) masked, and the
     * manager returns the sum of the answers as one result.
     *
     * @throws Problem 400 when the primitive cannot be summed or a node refuses because of the request;
     *     503 when a node is lost and the analysis cannot go on without it
     */
    public PrimitiveResult compute(Map<String, PrimitiveQuery> queries) {
        PrimitiveQuery shape = queries.values().iterator().next();
        if (!SummableResults.summable(shape)) {
            throw Problem.badRequest("This algorithm cannot run with flags.smpc: it needs the nodes' "
                    + shape.getPrimitiveCase().name().toLowerCase()
                    + " answers, which carry per-node minima, maxima, groups or suppression that a sum cannot hold. Under secure aggregation "
                    + "these run: linear_regression, logistic_regression, glm, pearson_correlation, pca and pca_with_transformation. "
                    + "Run this one without smpc.");
        }
        if (keys.isEmpty()) {
            open();
        }
        round++;
        List<String> active =
                participants.stream().filter(p -> !dropped.contains(p)).toList();
        Map<String, PrimitiveRequest> requests = new LinkedHashMap<>();
        for (String node : active) {
            SmpcMask.Builder mask = SmpcMask.newBuilder().setRound(round);
            if (round == 1) {
                mask.addAllShares(sharesFor.getOrDefault(node, List.of()));
            }
            requests.put(
                    node,
                    PrimitiveRequest.newBuilder()
                            .setRequestId(sessionId + "/" + round + "/" + node)
                            .setRequester(requester)
                            .setQuery(queries.get(node))
                            .setSmpc(step(active).setMask(mask))
                            .build());
        }
        Map<String, SmpcReply> replies = exchange(requests, round == 1);
        List<String> survivors = active.stream().filter(replies::containsKey).toList();
        List<String> lost = active.stream().filter(n -> !replies.containsKey(n)).toList();
        if (!lost.isEmpty() && round > 1) {
            // Its seed is known to the manager already: the nodes will not reveal its key as well.
            throw lostNode(
                    lost.get(0),
                    "after the first round of secure aggregation, when its masks can no longer be removed");
        }
        int length = SummableResults.length(model, shape);
        MaskedSum sum = new MaskedSum(SmpcProtocol.roundId(sessionId, round), length);
        for (String node : survivors) {
            BigInteger[] masked = MaskedSum.fromBytes(
                    replies.get(node).getMasked().getVector().toByteArray());
            if (masked.length != length) {
                throw new Problem(
                        ProblemType.INCONSISTENT_NODE_ANSWER,
                        "Node " + names.apply(node) + " sent " + masked.length + " masked numbers, not " + length);
            }
            sum.add(node, masked);
        }
        if (!lost.isEmpty() || !seeds.keySet().containsAll(survivors)) {
            unmask(survivors, lost, sum);
        }
        for (String node : survivors) {
            sum.removeSelfMask(node, seeds.get(node));
        }
        return SummableResults.unflatten(model, shape, sum.decode());
    }

    private void open() {
        Map<String, PrimitiveRequest> advertise = new LinkedHashMap<>();
        for (String node : participants) {
            advertise.put(
                    node, request(node, "keys", step(participants).setAdvertise(SmpcAdvertise.getDefaultInstance())));
        }
        exchange(advertise, false).forEach((node, reply) -> keys.put(node, reply.getKeys()));
        Map<String, PrimitiveRequest> share = new LinkedHashMap<>();
        for (String node : participants) {
            share.put(
                    node,
                    request(
                            node,
                            "shares",
                            step(participants)
                                    .setShareKeys(SmpcShareKeys.newBuilder().addAllKeys(keys.values()))));
        }
        exchange(share, false).forEach((node, reply) -> {
            for (SmpcSealedShare s : reply.getShares().getSharesList()) {
                if (!s.getFrom().equals(node) || !participants.contains(s.getTo())) {
                    throw new Problem(
                            ProblemType.INCONSISTENT_NODE_ANSWER,
                            "Node " + names.apply(node) + " sent a share that is not its own or not for a participant");
                }
                sharesFor.computeIfAbsent(s.getTo(), k -> new ArrayList<>()).add(s);
            }
        });
    }

    /** Asks the survivors for the shares that remove the self-masks and the dropped nodes' pairwise masks. */
    private void unmask(List<String> survivors, List<String> lost, MaskedSum sum) {
        int threshold = ShamirSecretSharing.threshold(participants.size());
        if (survivors.size() < threshold) {
            throw new Problem(
                    ProblemType.TOO_FEW_NODES,
                    "Only " + survivors.size() + " of " + participants.size()
                            + " nodes answered, and removing the masks of the others needs " + threshold + ". Lost: "
                            + String.join(", ", lost.stream().map(names).toList())
                            + ". Try again when they are back.");
        }
        Map<String, PrimitiveRequest> requests = new LinkedHashMap<>();
        List<String> roundNodes = new ArrayList<>(survivors);
        roundNodes.addAll(lost);
        List<String> sortedRound = roundNodes.stream().sorted().toList();
        for (String node : survivors) {
            requests.put(
                    node,
                    request(
                            node,
                            round + "/unmask",
                            step(sortedRound)
                                    .setUnmask(SmpcUnmask.newBuilder()
                                            .setRound(round)
                                            .addAllSeedsOf(survivors)
                                            .addAllKeysOf(lost))));
        }
        Map<String, SmpcReply> replies = exchange(requests, true);
        if (replies.size() < threshold) {
            throw new Problem(
                    ProblemType.TOO_FEW_NODES,
                    "Only " + replies.size() + " nodes helped remove the masks of round " + round + "; " + threshold
                            + " are needed. Try again later.");
        }
        Map<String, List<ShamirSecretSharing.Share>> seedShares = new HashMap<>();
        Map<String, List<ShamirSecretSharing.Share>> keyShares = new HashMap<>();
        replies.forEach((node, reply) -> {
            for (SmpcRevealedShare s : reply.getRevealed().getSharesList()) {
                ShamirSecretSharing.Share share =
                        ShamirSecretSharing.Share.fromBytes(s.getShare().toByteArray());
                (s.getSeed() ? seedShares : keyShares)
                        .computeIfAbsent(s.getOfNode(), k -> new ArrayList<>())
                        .add(share);
            }
        });
        for (String node : survivors) {
            if (!seeds.containsKey(node)) {
                seeds.put(
                        node,
                        SelfMask.fromSecret(
                                ShamirSecretSharing.reconstruct(enough(seedShares.get(node), threshold, node))));
            }
        }
        Map<String, PublicKey> survivorKeys = new HashMap<>();
        for (String node : survivors) {
            survivorKeys.put(node, publicKey(node));
        }
        for (String node : lost) {
            try {
                PrivateKey key = ShamirSecretSharing.toPrivateKey(
                        ShamirSecretSharing.reconstruct(enough(keyShares.get(node), threshold, node)));
                sum.removeMasksOf(node, key, survivorKeys);
            } catch (GeneralSecurityException e) {
                throw new Problem(
                        ProblemType.INCONSISTENT_NODE_ANSWER,
                        "The shares of node " + names.apply(node) + "'s mask key do not rebuild a key: "
                                + e.getMessage());
            }
            dropped.add(node);
        }
    }

    private List<ShamirSecretSharing.Share> enough(List<ShamirSecretSharing.Share> shares, int threshold, String node) {
        if (shares == null || shares.size() < threshold) {
            throw new Problem(
                    ProblemType.NODE_ERROR,
                    "Too few shares were revealed for node " + names.apply(node) + " ("
                            + (shares == null ? 0 : shares.size()) + " of the " + threshold + " needed)");
        }
        return shares.subList(0, threshold);
    }

    private PublicKey publicKey(String node) {
        try {
            return SignedSmpcKey.publicKey(keys.get(node).getMaskKey().toByteArray());
        } catch (GeneralSecurityException e) {
            throw new Problem(
                    ProblemType.INCONSISTENT_NODE_ANSWER,
                    "Node " + names.apply(node) + " advertised no usable mask key: " + e.getMessage());
        }
    }

    private SmpcStep.Builder step(List<String> nodes) {
        return SmpcStep.newBuilder().setSessionId(sessionId).addAllParticipants(nodes);
    }

    private PrimitiveRequest request(String node, String what, SmpcStep.Builder step) {
        return PrimitiveRequest.newBuilder()
                .setRequestId(sessionId + "/" + what + "/" + node)
                .setRequester(requester)
                .setSmpc(step)
                .build();
    }

    /**
     * Sends every request at once and waits for the replies. A refusal ends the analysis (400 when the
     * request was at fault); a lost node ends it too unless {@code tolerateLoss}, when it is left out of
     * the replies.
     */
    private Map<String, SmpcReply> exchange(Map<String, PrimitiveRequest> requests, boolean tolerateLoss) {
        Map<String, CompletableFuture<PrimitiveResponse>> calls = new LinkedHashMap<>();
        requests.forEach((node, request) -> calls.put(node, transport.send(node, request)));
        Map<String, SmpcReply> replies = new LinkedHashMap<>();
        for (Map.Entry<String, CompletableFuture<PrimitiveResponse>> call : calls.entrySet()) {
            String node = call.getKey();
            PrimitiveResponse response;
            try {
                response = call.getValue().get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                call.getValue().cancel(false);
                if (tolerateLoss && allowPartial) {
                    continue;
                }
                throw lostNode(node, "it did not answer within the analysis' deadline");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Problem(
                        ProblemType.INTERRUPTED, "The manager is shutting down; run the analysis again later.");
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof NodeUnavailableException)) {
                    throw new Problem(
                            ProblemType.INTERNAL_ERROR,
                            "Node " + names.apply(node) + " could not be asked: "
                                    + e.getCause().getMessage(),
                            e.getCause());
                }
                if (tolerateLoss && allowPartial) {
                    continue;
                }
                throw lostNode(node, "its session closed");
            }
            if (response.hasRefusal()) {
                throw SessionFederation.refused(names.apply(node), response.getRefusal());
            }
            if (!response.hasSmpc()) {
                throw new Problem(
                        ProblemType.INCONSISTENT_NODE_ANSWER,
                        "Node " + names.apply(node) + " answered a secure-aggregation step without its masked reply");
            }
            replies.put(node, response.getSmpc());
        }
        return replies;
    }

    private RuntimeException lostNode(String node, String why) {
        if (allowPartial) {
            return new SessionFederation.NodeLostException(node);
        }
        return new Problem(
                ProblemType.NODE_UNAVAILABLE,
                "Node " + names.apply(node) + " was lost during a secure-aggregation analysis (" + why
                        + "). Try again when it is back, or accept a result without it with flags {\"allow_partial\": true}.");
    }
}
