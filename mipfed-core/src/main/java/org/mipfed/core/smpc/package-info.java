/**
 * Secure aggregation (Bonawitz et al. 2017, with double masking): the parts nodes and manager share.
 *
 * <p>Each node encodes the summable numbers of a primitive as fixed point in Z<sub>2<sup>128</sup></sub>
 * ({@link FixedPoint}), adds one pairwise mask per peer ({@link PairwiseSecret}), each derived by X25519
 * from ephemeral keys that every node signs with its certificate's key ({@link SignedSmpcKey}), and
 * sends the masked vector. Over all nodes the masks cancel, so the manager, summing modulo 2<sup>128</sup>
 * ({@link MaskedSum}), learns the sum and nothing else. A node's ephemeral private key is also
 * Shamir-shared among its peers ({@link ShamirSecretSharing}) so that the masks of a node that drops
 * after the key round can be removed by the survivors' shares. Each node also adds a self-mask
 * ({@link SelfMask}) whose seed is shared the same way; peers reveal a node's seed when it answered
 * and its key when it dropped, never both. {@link SummableResults} says which primitives add up.
 */
package org.mipfed.core.smpc;
