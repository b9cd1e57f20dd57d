// History: the user's experiments, newest first, with their names, algorithms and variables; search them, open, edit
// and run, run again, share or delete one.
import {del, get, post} from '../api.js';
import {loadCatalogue, variableName} from '../catalogue.js';
import {clear, errorBox, field, h, setTitle, when} from '../dom.js';
import {session} from '../session.js';
import {editAndRun} from './analyse.js';

export async function historyPage(main) {
  setTitle('History');
  const admin = session.user?.role === 'admin';
  const everyone = h('input', {type: 'checkbox', id: 'history-all'});
  const search = h('input', {type: 'search', id: 'history-search', autocomplete: 'off', placeholder: 'name, algorithm, variable, status or hospital'});
  const count = h('p', {class: 'muted', id: 'history-count', 'aria-live': 'polite'});
  const list = h('div', {id: 'history-list'});
  const message = h('div', {'aria-live': 'polite', id: 'history-message'});
  let experiments = [];
  let variables = {};
  let labels = {};
  try {
    const [catalogue, algorithms] = await Promise.all([loadCatalogue(), get('/algorithms')]);
    variables = Object.fromEntries(catalogue.models.map((m) => [m.id, m.variables]));
    labels = Object.fromEntries(algorithms.map((a) => [a.name, a.label || a.name]));
  } catch (e) {
    console.warn('labels unavailable:', e.message);
  }
  const names = (e, codes) => (codes || []).map((c) => variableName(variables[e.data_model] || {}, c)).join(', ');
  const text = (e) => [e.name, e.algorithm, labels[e.algorithm], e.status, e.user, names(e, e.y), names(e, e.x), ...(e.y || []), ...(e.x || []),
    ...(e.contributions || []).map((c) => c.node)].filter(Boolean).join(' ').toLowerCase();

  async function load() {
    experiments = await get(`/experiments${everyone.checked ? '?all=true' : ''}`);
    render();
  }

  function render() {
    if (!experiments.length) {
      count.textContent = '';
      clear(list, h('p', {class: 'muted'}, 'No experiment yet. Run one on the ', h('a', {href: '#/analyse'}, 'Analyse'), ' page.'));
      return;
    }
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const shown = experiments.filter((e) => words.every((w) => text(e).includes(w)));
    count.textContent = words.length ? `${shown.length} of ${experiments.length} experiments match.` : `${experiments.length} experiments.`;
    clear(list, h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'history-table'},
      h('thead', {}, h('tr', {}, ['Experiment', 'Algorithm', 'Variables', 'Status', 'Started', 'Contributing hospitals', ...(everyone.checked ? ['User'] : []), 'Actions']
        .map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, shown.map((e) => h('tr', {dataset: {id: e.id}},
        h('th', {scope: 'row'}, h('a', {href: `#/experiments/${e.id}`}, e.name || `${labels[e.algorithm] || e.algorithm}, ${when(e.created)}`)),
        h('td', {}, labels[e.algorithm] || e.algorithm),
        h('td', {class: 'variables'}, e.y?.length ? h('div', {}, 'y: ', names(e, e.y)) : null, e.x?.length ? h('div', {}, 'x: ', names(e, e.x)) : null),
        h('td', {}, h('span', {class: `status status-${e.status}`}, e.status), e.error ? h('div', {class: 'muted small'}, e.error.detail) : null),
        h('td', {}, when(e.created)),
        h('td', {}, (e.contributions || []).map((c) => `${c.node} (${c.rows ?? 'masked'})`).join(', ') || '—'),
        everyone.checked ? h('td', {}, e.user) : null,
        h('td', {class: 'actions'}, h('div', {class: 'action-box'},
          h('button', {type: 'button', class: 'edit-and-run', onclick: () => open(e.id, editAndRun)}, 'Edit and run'),
          h('button', {type: 'button', class: 'rerun', onclick: () => rerun(e.id)}, 'Run again'),
          h('button', {type: 'button', onclick: () => share(e.id)}, 'Copy link'),
          h('button', {type: 'button', class: 'danger delete-experiment', onclick: () => remove(e)}, 'Delete')))))))));
  }

  async function open(id, then) {
    try {
      then(await get(`/experiments/${id}`));
    } catch (error) {
      clear(message, errorBox(error));
    }
  }

  async function rerun(id) {
    await open(id, async (e) => {
      const again = await post('/experiments', {algorithm: e.algorithm, ...e.request, ...(e.name ? {name: e.name} : {})});
      location.hash = `#/experiments/${again.id}`;
    });
  }

  async function remove(e) {
    if (!window.confirm(`Delete the experiment “${e.name || e.algorithm}” of ${when(e.created)}? Its result is lost.`)) return;
    try {
      await del(`/experiments/${e.id}`);
      experiments = experiments.filter((x) => x.id !== e.id);
      clear(message, h('p', {class: 'ok'}, `Deleted “${e.name || e.algorithm}”.`));
      render();
    } catch (error) {
      clear(message, errorBox(error));
    }
  }

  async function share(id) {
    const link = `${location.origin}${location.pathname}#/experiments/${id}`;
    try {
      await navigator.clipboard.writeText(link);
      clear(message, h('p', {class: 'ok'}, `Copied ${link}`));
    } catch {
      clear(message, h('p', {}, 'Copy this link: ', h('input', {readonly: true, value: link, 'aria-label': 'Link to the experiment', size: 60})));
    }
  }

  everyone.addEventListener('change', () => load().catch((e) => clear(list, errorBox(e))));
  search.addEventListener('input', render);
  clear(main, h('h1', {}, 'History'),
    h('div', {class: 'toolbar'}, field('Search the experiments', search),
      admin ? h('label', {class: 'check'}, everyone, ' Show everyone’s experiments') : null),
    count, message, list);
  await load();
}
