// Administer (admin role): nodes, join tokens, users, the nodes' privacy alerts and the manager's audit log; a banner
// when the portal itself travels as plain HTTP on an address other machines can reach (--insecure-http).
import {del, get, patch, post} from '../api.js';
import {clear, errorBox, field, h, setFieldError, setTitle, when} from '../dom.js';
import {nodeState} from '../nodes.js';
import {session} from '../session.js';

export async function adminPage(main) {
  setTitle('Administer');
  const nodes = h('section', {class: 'card', id: 'admin-nodes'});
  const tokens = h('section', {class: 'card', id: 'admin-tokens'});
  const users = h('section', {class: 'card', id: 'admin-users'});
  const alerts = h('section', {class: 'card', id: 'admin-alerts'});
  const audit = h('section', {class: 'card', id: 'admin-audit'});
  const transport = h('div', {id: 'admin-transport'});
  clear(main, h('h1', {}, 'Administer'), transport, nodes, tokens, users, alerts, audit);
  await Promise.all([renderTransport(transport), renderNodes(nodes), renderTokens(tokens), renderUsers(users), renderAlerts(alerts), renderAudit(audit)]);
}

/** The manager's own words when it serves this page unencrypted to the network; nothing otherwise. */
async function renderTransport(banner) {
  try {
    const t = await get('/admin/transport');
    if (t.insecure) {
      clear(banner, h('div', {class: 'banner-insecure', role: 'alert'}, h('strong', {}, 'Not encrypted. '), t.warning));
    }
  } catch (e) {
    clear(banner, errorBox(e));
  }
}

/** Runs an admin action, shows the API's error in words, and redraws the section. */
async function act(section, message, action, redraw) {
  clear(message);
  try {
    await action();
    await redraw(section);
  } catch (e) {
    clear(message, errorBox(e));
  }
}

/**
 * The nodes, a page at a time (hundreds of hospitals fit): searched by id, alias, hostname or dataset, filtered by
 * connection and availability, the page's size chosen; the view stays as it was across actions and Refresh.
 */
async function renderNodes(section, view = {q: '', status: '', availability: '', limit: 50, offset: 0}) {
  const message = h('div', {'aria-live': 'polite'});
  const params = new URLSearchParams({limit: String(view.limit), offset: String(view.offset)});
  if (view.q) params.set('q', view.q);
  if (view.status) params.set('status', view.status);
  if (view.availability) params.set('availability', view.availability);
  let page;
  try {
    page = await get(`/admin/nodes?${params}`);
  } catch (e) {
    clear(section, h('h2', {}, 'Nodes'), errorBox(e));
    return;
  }
  // a page emptied by an action (the last node of the last page removed or filtered away): show the one before
  if (!page.nodes.length && page.matched > 0 && view.offset > 0) {
    await renderNodes(section, {...view, offset: Math.max(0, page.matched - view.limit)});
    return;
  }
  const redraw = () => renderNodes(section, view);
  const go = (changes) => renderNodes(section, {...view, ...changes});
  const search = h('input', {type: 'search', id: 'nodes-search', value: view.q, placeholder: 'alias, id, hostname or dataset', size: 24});
  const status = h('select', {id: 'nodes-status'},
    [['', 'any'], ['ready', 'connected'], ['down', 'down']].map(([v, t]) => h('option', {value: v, selected: v === view.status}, t)));
  const availability = h('select', {id: 'nodes-availability'},
    [['', 'any'], ['active', 'started'], ['pending', 'not started']].map(([v, t]) => h('option', {value: v, selected: v === view.availability}, t)));
  const limit = h('input', {type: 'number', id: 'nodes-limit', min: 1, max: 1000, value: String(view.limit), size: 5});
  const apply = () => {
    const size = Number.parseInt(limit.value, 10);
    if (!(size >= 1 && size <= 1000)) {
      setFieldError(limit, 'Show 1 to 1000 nodes a page.');
      return;
    }
    go({q: search.value.trim(), status: status.value, availability: availability.value, limit: size, offset: 0});
  };
  status.addEventListener('change', apply);
  availability.addEventListener('change', apply);
  const filter = h('form', {class: 'toolbar filters', id: 'nodes-filter', role: 'search', onsubmit: (ev) => {
    ev.preventDefault();
    apply();
  }},
  field('Find a node', search), field('Connection', status), field('Availability', availability), field('Nodes a page', limit),
  h('div', {class: 'buttons'}, h('button', {type: 'submit'}, 'Show')));
  const first = page.nodes.length ? page.offset + 1 : 0;
  const last = page.offset + page.nodes.length;
  const filtered = page.matched !== page.total;
  const pager = h('div', {class: 'buttons pager'},
    h('button', {type: 'button', id: 'nodes-prev', disabled: page.offset === 0,
      onclick: () => go({offset: Math.max(0, page.offset - view.limit)})}, 'Previous'),
    h('span', {id: 'nodes-count', 'aria-live': 'polite'}, page.nodes.length
      ? `Nodes ${first}–${last} of ${page.matched}${filtered ? ` matching (${page.total} in all)` : ''}`
      : `No nodes${filtered ? ` matching (${page.total} in all)` : ''}`),
    h('button', {type: 'button', id: 'nodes-next', disabled: page.next_offset === null,
      onclick: () => go({offset: page.next_offset})}, 'Next'));
  const rows = page.nodes.map((n) => {
    const name = n.alias || n.id;
    const datasets = Object.entries(n.datasets || {}).flatMap(([model, codes]) => codes.map((c) => `${c}`));
    const labelInput = h('input', {placeholder: 'name=chuv', size: 12, 'aria-label': `Label for ${name} (key=value)`});
    // datasets this node announced that another node owns: refused claims, not used in analyses
    const conflicts = Object.entries(n.datasetConflicts || {}).flatMap(([model, owners]) => Object.entries(owners).map(([code, owner]) =>
      h('p', {class: 'error small dataset-conflict', role: 'alert'}, `${code} (${model}) belongs to ${owner}: not used from ${name}. `,
        h('button', {type: 'button', class: 'link move-dataset', onclick: () => {
          if (window.confirm(`Give dataset ${code} of ${model} to ${name}? Analyses then use ${name}'s rows, no longer ${owner}'s.`)) {
            act(section, message, () => post(`/admin/datasets/${encodeURIComponent(model)}/${encodeURIComponent(code)}/owner`, {node: n.id}), redraw);
          }
        }}, `Give it to ${name}`))));
    // the privacy policy as the node announced it, every rule under its node.json name
    const privacy = n.privacy
      ? h('details', {class: 'privacy'}, h('summary', {}, `min_rows ${n.privacy.min_rows}, min_cell_count ${n.privacy.min_cell_count}`),
        h('dl', {class: 'small'}, Object.entries(n.privacy).flatMap(([k, v]) =>
          [h('dt', {}, k), h('dd', {}, Array.isArray(v) ? (v.length ? v.join(', ') : '—') : String(v))])))
      : '—';
    return h('tr', {dataset: {node: name, id: n.id}},
      h('th', {scope: 'row'}, name, h('div', {class: 'muted small'}, n.id)),
      h('td', {class: 'state'}, h('span', {class: `status status-${nodeState(n).key}`}, nodeState(n).words),
        h('div', {class: 'muted small'}, `connection ${n.status}, ${n.availability === 'active' ? 'started' : 'not started'}`)),
      h('td', {class: 'availability'}, n.availability),
      h('td', {}, datasets.length ? h('details', {}, h('summary', {}, `${datasets.length} datasets`), datasets.join(', ')) : '—', conflicts),
      h('td', {}, privacy),
      h('td', {class: 'last-seen'}, n.lastSeen ? when(n.lastSeen) : 'not since the manager started'),
      h('td', {}, Object.entries(n.labels || {}).map(([k, v]) => h('span', {class: 'chip'}, `${k}=${v} `,
        h('button', {type: 'button', class: 'link', 'aria-label': `Remove label ${k} from ${name}`,
          onclick: () => act(section, message, () => post(`/admin/nodes/${n.id}/labels`, {remove: [k]}), redraw)}, '×')))),
      h('td', {class: 'actions'}, h('div', {class: 'action-box'},
        h('form', {class: 'inline', onsubmit: (ev) => {
          ev.preventDefault();
          const [key, ...rest] = labelInput.value.split('=');
          if (!key.trim() || !rest.length) {
            clear(message, h('p', {class: 'error', role: 'alert'}, 'Write the label as key=value, e.g. name=chuv.'));
            return;
          }
          act(section, message, () => post(`/admin/nodes/${n.id}/labels`, {add: {[key.trim()]: rest.join('=').trim()}}), redraw);
        }}, labelInput, h('button', {type: 'submit'}, 'Add label')),
        n.availability === 'active'
          ? h('button', {type: 'button', class: 'stop-node', onclick: () => act(section, message, () => post('/admin/stop', {nodes: [n.id]}), redraw)}, `Stop ${name}`)
          : h('button', {type: 'button', class: 'start-node', onclick: () => act(section, message, () => post('/admin/start', {nodes: [n.id]}), redraw)}, `Start ${name}`),
        h('button', {type: 'button', class: 'danger remove-node', onclick: () => {
          if (window.confirm(`Remove node ${name}? Its certificate is refused from then on; it must join again.`)) {
            act(section, message, () => del(`/admin/nodes/${n.id}`), redraw);
          }
        }}, `Remove ${name}`))));
  });
  clear(section, h('h2', {}, 'Nodes'),
    h('p', {class: 'muted'}, 'Only started (active) and connected (ready) nodes take part in analyses. A stopped node stays connected but takes no part; a down node is not connected.'),
    message,
    filter,
    pager,
    h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'nodes-table'},
      h('thead', {}, h('tr', {}, ['Node', 'State', 'Availability', 'Datasets', 'Privacy policy', 'Last seen', 'Labels', 'Actions'].map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, rows))),
    rows.length ? null : h('p', {class: 'muted', id: 'nodes-none'}, page.total ? 'No node matches; change the search or the filters.' : 'No node has joined yet.'),
    h('div', {class: 'buttons'}, h('button', {type: 'button', onclick: redraw}, 'Refresh')));
  // when the list was drawn (the benchmark reads it: mipfed bench --simulated-nodes)
  performance.mark('mipfed:nodes-drawn');
}

async function renderTokens(section) {
  const message = h('div', {'aria-live': 'polite'});
  const shown = h('div', {id: 'join-token'});
  const show = (role, rotate) => async () => {
    clear(message);
    if (rotate && !window.confirm(`Rotate the ${role} join token? The current one stops working at once.`)) return;
    try {
      const t = rotate ? await post(`/admin/join-tokens/${role}/rotate`) : await get(`/admin/join-tokens/${role}`);
      const input = h('input', {readonly: true, value: t.token, class: 'token', onfocus: (ev) => ev.target.select()});
      const command = t.command ? h('input', {readonly: true, value: t.command, class: 'token', id: 'join-command', onfocus: (ev) => ev.target.select()}) : null;
      clear(shown, field(`${role} join token${rotate ? ' (new)' : ''}`, input),
        command ? field('On the hospital’s machine, run', command, 'Add --data-dir <directory> to keep the node’s files elsewhere than the default.') : null);
    } catch (e) {
      clear(message, errorBox(e));
    }
  };
  clear(section, h('h2', {}, 'Join tokens'),
    h('p', {class: 'muted'}, 'A token lets a machine join the federation: show it only to hand it over.'),
    h('div', {class: 'buttons'},
      h('button', {type: 'button', id: 'show-worker-token', onclick: show('worker', false)}, 'Show worker token'),
      h('button', {type: 'button', onclick: show('manager', false)}, 'Show manager token'),
      h('button', {type: 'button', class: 'danger', onclick: show('worker', true)}, 'Rotate worker token'),
      h('button', {type: 'button', class: 'danger', onclick: show('manager', true)}, 'Rotate manager token')),
    message, shown);
}

async function renderUsers(section) {
  const message = h('div', {'aria-live': 'polite', id: 'users-message'});
  let list;
  try {
    list = await get('/admin/users');
  } catch (e) {
    clear(section, h('h2', {}, 'Users'), e.status === 404
      ? h('p', {class: 'error'}, 'This manager has no user accounts endpoint (GET /admin/users answered 404).') : errorBox(e));
    return;
  }
  const redraw = () => renderUsers(section);
  const done = (text) => async () => {
    await redraw();
    const m = section.querySelector('#users-message');
    if (m) clear(m, h('p', {class: 'ok'}, text));
  };
  // the last enabled admin can be neither demoted, disabled nor deleted: the federation would have no administrator
  const admins = list.filter((u) => u.role === 'admin' && !u.disabled);
  const lastAdmin = (u) => u.role === 'admin' && !u.disabled && admins.length === 1;
  const guard = 'The only active administrator: make another user admin first.';
  const username = h('input', {name: 'new-username', autocomplete: 'off', required: true});
  const password = h('input', {name: 'new-password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12});
  const role = h('select', {name: 'new-role'}, h('option', {value: 'researcher'}, 'researcher'), h('option', {value: 'admin'}, 'admin'),
    h('option', {value: 'metrics'}, 'metrics (Prometheus: GET /metrics only)'));
  const row = (u) => {
    const last = lastAdmin(u);
    const roleSelect = h('select', {class: 'user-role', 'aria-label': `Role of ${u.username}`, disabled: last, title: last ? guard : undefined},
      ['researcher', 'admin', 'metrics'].map((r) => h('option', {value: r, selected: u.role === r}, r)));
    roleSelect.addEventListener('change', () => {
      if (!window.confirm(`Make ${u.username} ${roleSelect.value === 'admin' ? 'an admin' : roleSelect.value === 'metrics' ? 'a metrics account' : 'a researcher'}? Their sessions continue with the new role.`)) {
        roleSelect.value = u.role;
        return;
      }
      act(section, message, () => patch(`/admin/users/${encodeURIComponent(u.username)}`, {role: roleSelect.value}),
        done(`${u.username} is now ${roleSelect.value === 'admin' ? 'an admin' : roleSelect.value === 'metrics' ? 'a metrics account' : 'a researcher'}.`));
    });
    const newPassword = h('input', {type: 'password', class: 'reset-password', autocomplete: 'new-password', minlength: 12,
      'aria-label': `New password for ${u.username}`, placeholder: 'new password (12+ characters)'});
    const passwordForm = u.sign_in === 'oidc' ? h('span', {class: 'muted small'}, 'signs in through the identity provider')
      : h('form', {class: 'inline reset-password-form', onsubmit: (ev) => {
        ev.preventDefault();
        if (newPassword.value.length < 12) {
          clear(message, h('p', {class: 'error', role: 'alert'}, `The new password of ${u.username} needs at least 12 characters.`));
          return;
        }
        act(section, message, () => patch(`/admin/users/${encodeURIComponent(u.username)}`, {password: newPassword.value}),
          done(`New password set for ${u.username}; their sessions were signed out.`));
      }}, newPassword, h('button', {type: 'submit'}, 'Reset password'));
    return h('tr', {dataset: {user: u.username}},
      h('th', {scope: 'row'}, u.username, u.username === session.user?.username ? h('span', {class: 'muted small'}, ' (you)') : null),
      h('td', {}, roleSelect, last ? h('div', {class: 'muted small last-admin'}, guard) : null),
      h('td', {}, when(u.created)),
      h('td', {class: 'user-state'}, u.disabled ? 'disabled' : 'active'),
      h('td', {class: 'actions'}, h('div', {class: 'action-box'},
        passwordForm,
        h('button', {type: 'button', class: 'toggle-user', disabled: last && !u.disabled, title: last ? guard : undefined, onclick: () => act(section, message,
          () => patch(`/admin/users/${encodeURIComponent(u.username)}`, {disabled: !u.disabled}),
          done(`${u.username} is ${u.disabled ? 'enabled' : 'disabled and signed out'}.`))}, `${u.disabled ? 'Enable' : 'Disable'} ${u.username}`),
        h('button', {type: 'button', class: 'danger delete-user', disabled: last, title: last ? guard : undefined, onclick: () => {
          if (window.confirm(`Delete user ${u.username}?`)) act(section, message, () => del(`/admin/users/${encodeURIComponent(u.username)}`), done(`${u.username} deleted.`));
        }}, `Delete ${u.username}`))));
  };
  clear(section, h('h2', {}, 'Users'), message,
    h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'users-table'},
      h('thead', {}, h('tr', {}, ['User', 'Role', 'Created', 'State', 'Actions'].map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, list.map(row)))),
    h('form', {class: 'card inline-form', id: 'new-user', onsubmit: (ev) => {
      ev.preventDefault();
      act(section, message, () => post('/admin/users', {username: username.value.trim(), password: password.value, role: role.value}), redraw);
    }}, h('h3', {}, 'New user'), field('User name', username), field('Password', password, 'At least 12 characters.'), field('Role', role),
    h('button', {type: 'submit'}, 'Create user')));
}

/** Requesters a node locked out after too many refusals that depend on its rows (its refusal budget). */
async function renderAlerts(section) {
  let alerts;
  try {
    alerts = await get('/admin/alerts?limit=100');
  } catch (e) {
    clear(section, h('h2', {}, 'Privacy alerts'), errorBox(e));
    return;
  }
  const rules = (a) => Object.entries(a.refusals_by_rule || {}).map(([rule, n]) => `${rule} ×${n}`).join(', ');
  clear(section, h('h2', {}, 'Privacy alerts'),
    alerts.length === 0 ? h('p', {class: 'muted', id: 'alerts-none'}, 'No node has locked anyone out since this manager started.')
      : h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'alerts-table'},
        h('thead', {}, h('tr', {}, ['Time', 'Node', 'Requester', 'Dataset', 'Refused (within the window)', 'Locked out until']
          .map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, alerts.map((a) => h('tr', {},
          h('td', {}, when(a.time)), h('td', {}, a.node), h('td', {}, a.requester), h('td', {}, a.dataset),
          h('td', {}, `${rules(a)} in ${a.window_hours} h`), h('td', {}, when(a.locked_until))))))),
    h('div', {class: 'buttons'}, h('button', {type: 'button', onclick: () => renderAlerts(section)}, 'Refresh')));
}

const AUDIT_PAGE = 25;
const AUDIT_ACTIONS = {
  'analysis.run': 'ran an analysis', 'experiment.submit': 'submitted an experiment', 'experiment.delete': 'deleted an experiment',
  'experiment.rename': 'renamed an experiment', 'experiment.cancel': 'cancelled an experiment', 'node.label': 'labelled a node',
  'node.start': 'started a node', 'node.stop': 'stopped a node', 'node.remove': 'removed a node', 'join_token.show': 'showed a join token',
  'join_token.rotate': 'rotated a join token', 'user.create': 'created a user', 'user.change': 'changed a user', 'user.delete': 'deleted a user',
  'token.create': 'created an API token', 'token.revoke': 'revoked an API token', 'ca.rotate': 'started a CA rotation',
  'ca.rotate_finish': 'finished a CA rotation', backup: 'backed up the manager', 'sign_in.lockout': 'was locked out of signing in',
  'dataset.conflict': 'dataset claimed twice', 'dataset.move': 'gave a dataset to another node',
  'manager.demote': 'demoted a manager', 'manager.remove': 'removed a manager',
};

/** An audit entry's details as "key: value" lines, lists joined, nested objects in words. */
function readableDetails(details) {
  const entries = Object.entries(details || {});
  if (!entries.length) return '—';
  const text = (v) => (v === null ? '—' : Array.isArray(v) ? v.map(text).join(', ') : typeof v === 'object'
    ? Object.entries(v).map(([k, x]) => `${k} ${text(x)}`).join('; ') : String(v));
  return h('dl', {class: 'details small'}, entries.flatMap(([k, v]) => [h('dt', {}, k.replace(/_/g, ' ')), h('dd', {}, text(v))]));
}

/** The audit log: the newest 2,000 entries, filtered by user, action, outcome, words and time, 25 to a page. */
async function renderAudit(section) {
  let entries;
  try {
    entries = await get('/admin/audit?limit=2000');
  } catch (e) {
    clear(section, h('h2', {}, 'Audit log'), e.status === 404
      ? h('p', {class: 'muted', id: 'audit-absent'}, 'This manager keeps no audit log yet (GET /admin/audit answered 404).') : errorBox(e));
    return;
  }
  const users = [...new Set(entries.map((e) => e.user).filter(Boolean))].sort();
  const actions = [...new Set(entries.map((e) => e.action).filter(Boolean))].sort();
  const userSelect = h('select', {id: 'audit-user'}, h('option', {value: ''}, 'everyone'), users.map((u) => h('option', {value: u}, u)));
  const actionSelect = h('select', {id: 'audit-action'}, h('option', {value: ''}, 'every action'),
    actions.map((a) => h('option', {value: a}, `${AUDIT_ACTIONS[a] || a} (${a})`)));
  const words = h('input', {type: 'search', id: 'audit-search', placeholder: 'e.g. an experiment id or a node'});
  const since = h('input', {type: 'datetime-local', id: 'audit-since'});
  const body = h('div', {id: 'audit-body'});
  let page = 0;
  const render = () => {
    const w = words.value.trim().toLowerCase();
    const from = since.value ? new Date(since.value).getTime() : null;
    const shown = entries.filter((e) => (!userSelect.value || e.user === userSelect.value) && (!actionSelect.value || e.action === actionSelect.value)
      && (!from || new Date(e.time).getTime() >= from) && (!w || JSON.stringify(e).toLowerCase().includes(w)));
    const pages = Math.max(1, Math.ceil(shown.length / AUDIT_PAGE));
    page = Math.min(page, pages - 1);
    const slice = shown.slice(page * AUDIT_PAGE, (page + 1) * AUDIT_PAGE);
    clear(body, h('p', {class: 'muted', id: 'audit-count'}, `${shown.length} of the newest ${entries.length} entries; page ${page + 1} of ${pages}.`),
      h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'audit-table'},
        h('thead', {}, h('tr', {}, ['#', 'Time', 'User', 'Action', 'Outcome', 'Details'].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, slice.map((e) => h('tr', {dataset: {action: e.action}},
          h('th', {scope: 'row'}, e.seq), h('td', {}, when(e.time)), h('td', {}, e.user || '—'),
          h('td', {}, AUDIT_ACTIONS[e.action] || e.action, h('div', {class: 'muted small'}, e.action)),
          h('td', {}, e.outcome || '—'), h('td', {}, readableDetails(e.details))))))),
      h('div', {class: 'buttons pager'},
        h('button', {type: 'button', id: 'audit-newer', disabled: page === 0, onclick: () => { page -= 1; render(); }}, '← Newer'),
        h('button', {type: 'button', id: 'audit-older', disabled: page >= pages - 1, onclick: () => { page += 1; render(); }}, 'Older →')));
  };
  for (const control of [userSelect, actionSelect, since]) control.addEventListener('change', () => { page = 0; render(); });
  words.addEventListener('input', () => { page = 0; render(); });
  clear(section, h('h2', {}, 'Audit log'),
    h('div', {class: 'toolbar filters'}, field('User', userSelect), field('Action', actionSelect), field('Words', words), field('Since', since)),
    body, h('div', {class: 'buttons'}, h('button', {type: 'button', id: 'audit-refresh', onclick: () => renderAudit(section)}, 'Refresh')));
  render();
}
