// A node's state in words, shared by Analyse, Explore and Administer.
import {when} from './dom.js';

/**
 * @param node {status: ready|down, availability: active|pending, last_seen?, down_since?} as /healthcheck and
 *     /admin/nodes give it
 * @returns {key, words}: key for the CSS class (available, stopped, down), words for people
 */
export function nodeState(node) {
  const downSince = node.down_since || node.downSince;
  if (node.availability !== 'active') {
    return {key: 'stopped', words: node.status === 'ready' ? 'stopped (connected, not taking part)' : 'stopped'};
  }
  if (node.status !== 'ready') return {key: 'down', words: downSince ? `down since ${when(downSince)}` : 'down (never connected since the manager started)'};
  return {key: 'available', words: 'available'};
}
