// The data models, their variables (CDEs) and where the datasets are: shared by Explore and Analyse.
import {get} from './api.js';

export async function loadCatalogue() {
  const [cdes, models, health] = await Promise.all([get('/cdes_metadata'), get('/data_models'), get('/healthcheck')]);
  const byId = new Map(models.map((m) => [m.id, m]));
  const ids = [...new Set([...Object.keys(cdes), ...models.map((m) => m.id)])].sort();
  return {
    models: ids.map((id) => ({id, label: byId.get(id)?.label || id, datasets: byId.get(id)?.datasets || {},
      unavailable: byId.get(id)?.unavailable_datasets || {}, variables: cdes[id] || {}})),
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

/** A variable's label with its unit, e.g. "Left Hippocampus (cm3)"; the code when the data model does not know it. */
export function variableName(variables, code, withUnit = true) {
  const cde = variables?.[code];
  if (!cde) return code;
  const label = cde.label || code;
  return withUnit && cde.units ? `${label} (${cde.units})` : label;
}

/** A level's label, e.g. "Male" for gender's "M"; the code when the data model has no label for it. */
export function levelName(variables, code, level) {
  const label = variables?.[code]?.enumerations?.[level];
  return label && label !== level ? `${label} (${level})` : String(level);
}

/** The levels of a nominal variable in code point order: the regression's reference level is the first present. */
export function sortedLevels(variables, code) {
  return Object.keys(variables?.[code]?.enumerations || {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Where the data model's variable tree starts a group, for the picker's search: "Brain anatomy / Grey matter". */
export function groupOf(cde) {
  return cde.group || 'Other';
}
