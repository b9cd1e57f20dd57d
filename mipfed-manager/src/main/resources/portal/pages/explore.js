// Explore: a data model's variables as the CDE tree, and which node holds which dataset.
import {groupTree, loadCatalogue, matches, typeLabel} from '../catalogue.js';
import {clear, field, fmt, h, setTitle} from '../dom.js';
import {nodeState} from '../nodes.js';

export async function explorePage(main) {
  setTitle('Explore');
  const catalogue = await loadCatalogue();
  const modelSelect = h('select', {id: 'explore-model'},
    catalogue.models.map((m) => h('option', {value: m.id}, `${m.label} (${m.id})`)));
  const search = h('input', {id: 'explore-search', type: 'search', placeholder: 'e.g. hippocampus or leftamygdala', autocomplete: 'off'});
  const tree = h('div', {class: 'tree', id: 'cde-tree'});
  const details = h('section', {class: 'card', id: 'cde-details', 'aria-live': 'polite'}, h('p', {class: 'muted'}, 'Choose a variable to see its type, levels, range and units.'));
  const datasets = h('section', {class: 'card', id: 'explore-datasets'});
  const count = h('p', {class: 'muted', id: 'explore-count', 'aria-live': 'polite'});

  const model = () => catalogue.models.find((m) => m.id === modelSelect.value);

  function showVariable(cde) {
    const rows = [['Code', cde.code], ['Label', cde.label], ['Type', typeLabel(cde)], ['Group', cde.group || '—']];
    if (cde.min !== undefined) rows.push(['Minimum', fmt(cde.min)]);
    if (cde.max !== undefined) rows.push(['Maximum', fmt(cde.max)]);
    if (cde.units) rows.push(['Units', cde.units]);
    if (cde.description) rows.push(['Description', cde.description]);
    clear(details, h('h2', {}, cde.label || cde.code),
      h('dl', {class: 'facts'}, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {dataset: {fact: k.toLowerCase()}}, v)])),
      cde.enumerations ? [h('h3', {}, 'Levels'), h('table', {class: 'data'},
        h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Code'), h('th', {scope: 'col'}, 'Label'))),
        h('tbody', {}, Object.entries(cde.enumerations).map(([code, label]) => h('tr', {}, h('td', {}, code), h('td', {}, label)))))] : null);
  }

  function renderGroup(group, query, depth) {
    const variables = group.variables.filter((c) => matches(c, query))
      .map((c) => h('li', {}, h('button', {type: 'button', class: 'variable', dataset: {code: c.code}, onclick: () => showVariable(c)},
        h('span', {class: 'var-label'}, c.label || c.code), ' ', h('code', {}, c.code), ' ', h('span', {class: 'badge'}, typeLabel(c)))));
    const children = [...group.groups.values()].map((g) => renderGroup(g, query, depth + 1)).filter(Boolean);
    if (!variables.length && !children.length) return null;
    const list = h('ul', {}, children.map((c) => h('li', {}, c)), variables);
    if (depth === 0) return list;
    return h('details', {open: Boolean(query) || depth === 1, dataset: {group: group.name}}, h('summary', {}, group.name), list);
  }

  function renderTree() {
    const m = model();
    const query = search.value.trim();
    const all = Object.values(m.variables);
    const found = all.filter((c) => matches(c, query)).length;
    count.textContent = query ? `${found} of ${all.length} variables match “${query}”.` : `${all.length} variables.`;
    clear(tree, renderGroup(groupTree(m.variables), query, 0) || h('p', {class: 'muted'}, 'No variable matches; search by code or label.'));
  }

  function renderDatasets() {
    const m = model();
    const byNode = new Map();
    for (const [code, d] of Object.entries(m.datasets)) {
      if (!byNode.has(d.node)) byNode.set(d.node, []);
      byNode.get(d.node).push({code, ...d});
    }
    const rows = catalogue.nodes.map((n) => {
      const name = n.alias || n.id;
      const held = byNode.get(name) || byNode.get(n.id) || [];
      return h('tr', {dataset: {node: name}},
        h('th', {scope: 'row'}, name),
        h('td', {}, h('span', {class: `status status-${nodeState(n).key}`}, nodeState(n).words), ' ', h('span', {class: 'muted small'}, n.status)),
        h('td', {}, n.availability),
        h('td', {}, held.length ? held.map((d) => h('span', {class: 'chip', title: `${d.rows} rows`}, `${d.label || d.code} (${d.rows})`)) : '—'));
    });
    clear(datasets, h('h2', {}, 'Datasets by node'),
      h('p', {class: 'muted'}, 'Only started, connected nodes offer their datasets to analyses.'),
      h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'node-datasets'},
        h('thead', {}, h('tr', {}, ['Node', 'Status', 'Availability', 'Datasets (rows)'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, rows))));
  }

  modelSelect.addEventListener('change', () => {
    renderTree();
    renderDatasets();
  });
  search.addEventListener('input', renderTree);
  clear(main, h('h1', {}, 'Explore the data'),
    catalogue.models.length ? null : h('p', {class: 'error'}, 'No data model is known yet: no node has reported data.'),
    h('div', {class: 'toolbar'}, field('Data model', modelSelect), field('Search variables by code or label', search)),
    h('div', {class: 'columns'}, h('section', {class: 'card', 'aria-label': 'Variables'}, h('h2', {}, 'Variables'), count, tree), details),
    datasets);
  if (catalogue.models.length) {
    renderTree();
    renderDatasets();
  }
}
