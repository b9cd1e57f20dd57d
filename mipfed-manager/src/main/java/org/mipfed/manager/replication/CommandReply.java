package org.mipfed.manager.replication;

/**
 * What the state machine answers to a command once it is committed and applied.
 *
 * @param index the command's log index
 * @param applied whether it changed the state (a change computed from an older state is refused)
 * @param refusal why it was refused, or null
 */
public record CommandReply(long index, boolean applied, String refusal) {}
