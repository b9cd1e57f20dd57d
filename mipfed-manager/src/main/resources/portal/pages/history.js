// History: the user's experiments, newest first; open, re-run or share one.
import {get, post} from '../api.js';
import {clear, errorBox, h, when} from '../dom.js';
import {session} from '../session.js';

export async function historyPage(main) {
  const admin = session.user?.role === 'admin';
  const everyone = h('input', {type: 'checkbox', id: 'history-all'});
  const list = h('div', {id: 'history-list'});
  const message = h('div', {'aria-live': 'polite'});

  async function load() {
    const experiments = await get(`/experiments${everyone.checked ? '?all=true' : ''}`);
    if (!experiments.length) {
      clear(list, h('p', {class: 'muted'}, 'No experiment yet. Run one on the ', h('a', {href: '#/analyse'}, 'Analyse'), ' page.'));
      return;
    }
    clear(list, h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'history-table'},
      h('thead', {}, h('tr', {}, ['Algorithm', 'Status', 'Started', 'Finished', 'Contributing nodes', ...(everyone.checked ? ['User'] : []), 'Actions']
        .map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, experiments.map((e) => h('tr', {dataset: {id: e.id}},
        h('th', {scope: 'row'}, h('a', {href: `#/experiments/${e.id}`}, e.algorithm)),
        h('td', {}, h('span', {class: `status status-${e.status}`}, e.status), e.error ? h('div', {class: 'muted'}, e.error.detail) : null),
        h('td', {}, when(e.created)),
        h('td', {}, when(e.finished)),
        h('td', {}, (e.contributions || []).map((c) => `${c.node} (${c.rows})`).join(', ') || '—'),
        everyone.checked ? h('td', {}, e.user) : null,
        h('td', {class: 'actions'},
          h('button', {type: 'button', onclick: () => rerun(e.id)}, 'Run again'),
          h('button', {type: 'button', onclick: () => share(e.id)}, 'Copy link'))))))));
  }

  async function rerun(id) {
    try {
      const e = await get(`/experiments/${id}`);
      const again = await post('/experiments', {algorithm: e.algorithm, ...e.request});
      location.hash = `#/experiments/${again.id}`;
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
  clear(main, h('h1', {}, 'History'),
    admin ? h('p', {}, h('label', {class: 'check'}, everyone, ' Show everyone’s experiments')) : null,
    message, list);
  await load();
}
