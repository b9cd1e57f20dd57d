// The data models, their variables (CDEs) and where the datasets are: shared by Explore and Analyse.
import {get} from './api.js';

export async function loadCatalogue() {
  const [cdes, models, health] = await Promise.all([get('/cdes_metadata'), get('/data_models'), get('/healthcheck')]);
  const byId = new Map(models.map((m) => [m.id, m]));
  const ids = [...new Set([...Object.keys(cdes), ...models.map((m) => m.id)])].sort();
  return {
    models: ids.map((id) => ({id, label: byId.get(id)?.label || id, datasets: byId.get(id)?.datasets || {}, variables: cdes[id] || {}})),
    nodes: health.nodes || [],
  };
}

/** What an algorithm spec calls a variable's stattype. */
export function statType(cde) {
  return cde.is_categorical ? 'nominal' : 'numerical';
}

export function typeLabel(cde) {
  return `${cde.sql_type}, ${statType(cde)}`;
}

/** Groups ("A / B") to a tree: {name, groups: Map, variables: []}. */
export function groupTree(variables) {
  const root = {name: '', groups: new Map(), variables: []};
  for (const cde of Object.values(variables)) {
    let node = root;
    for (const part of (cde.group || '').split(' / ').filter(Boolean)) {
      if (!node.groups.has(part)) node.groups.set(part, {name: part, groups: new Map(), variables: []});
      node = node.groups.get(part);
    }
    node.variables.push(cde);
  }
  return root;
}

export function matches(cde, query) {
  if (!query) return true;
  const q = query.toLowerCase();
  return cde.code.toLowerCase().includes(q) || (cde.label || '').toLowerCase().includes(q);
}
