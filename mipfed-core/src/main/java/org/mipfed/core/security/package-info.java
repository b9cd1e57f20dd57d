/**
 * The federation's security vocabulary, shared by the manager and the nodes: join tokens, CA digests,
 * PEM files, key pairs, the identity carried by a node certificate and the key/trust managers that
 * build the mutual-TLS connections.
 */
package org.mipfed.core.security;
