// One experiment: its name and inputs in words, progress and a Cancel while it runs, then its result (or the API's
// error), who was missing, and edit-and-run, run again and share.
import {get, patch, post} from '../api.js';
import {loadCatalogue, variableName} from '../catalogue.js';
import {disposeCharts} from '../charts.js';
import {clear, download, errorBox, field, h, setTitle, when} from '../dom.js';
import {csvRow, renderResult} from '../results.js';
import {editAndRun} from './analyse.js';

const POLL_MS = 500;

export async function experimentPage(main, id) {
  let timer = null;
  let stopped = false;
  let shown = null;
  let confirmPolls = 10;
  let finalDrawn = null;
  let variables = {};
  let algorithmLabels = {};
  let datasetLabels = {};
  const status = h('div', {id: 'experiment-status', role: 'status', 'aria-live': 'polite'});
  // one button for the whole run: the status is drawn again at every poll, the button must stay the same element
  const cancelButton = h('button', {type: 'button', id: 'cancel', class: 'danger', onclick: () => cancel()}, 'Cancel the analysis');
  const body = h('div', {id: 'experiment-body'});
  const header = h('div');
  clear(main, header, status, body);
  try {
    const [catalogue, algorithms] = await Promise.all([loadCatalogue(), get('/algorithms')]);
    algorithmLabels = Object.fromEntries(algorithms.map((a) => [a.name, a.label || a.name]));
    variables = Object.fromEntries(catalogue.models.map((m) => [m.id, m.variables]));
    datasetLabels = Object.fromEntries(catalogue.models.flatMap((m) => [...Object.entries(m.datasets), ...Object.entries(m.unavailable)])
      .map(([code, d]) => [code, d.label || code]));
  } catch (e) {
    console.warn('the data models could not be read; codes are shown instead of labels:', e.message);
  }
  const modelVariables = (e) => variables[e.request?.inputdata?.data_model] || {};

  async function poll() {
    if (stopped) return;
    let experiment;
    try {
      experiment = await get(`/experiments/${encodeURIComponent(id)}`);
    } catch (e) {
      clear(status, errorBox(e));
      return;
    }
    if (shown !== experiment.status) {
      shown = experiment.status;
      renderHeader(experiment);
    }
    if (experiment.status === 'pending' || experiment.status === 'running') {
      const since = Math.max(0, (Date.now() - new Date(experiment.created).getTime()) / 1000);
      const hospitals = experiment.request?.inputdata?.datasets?.length ?? 0;
      const progress = Object.entries(experiment.progress || {});
      clear(status, h('div', {class: 'progress'}, h('progress', {'aria-label': 'Analysis in progress'}),
        ` ${experiment.status === 'pending' ? 'Waiting to start' : `Running on the hospitals holding the ${hospitals} chosen datasets`}… ${since.toFixed(0)} s `,
        cancelButton),
      progress.length ? h('ul', {class: 'hospital-progress', id: 'hospital-progress'}, progress.map(([node, p]) => h('li', {dataset: {node}},
        h('strong', {}, node), p.answered < p.asked
          ? h('span', {class: 'status status-running'}, ` waiting for its answer (${p.answered} of ${p.asked} steps answered)`)
          : h('span', {class: 'status status-available'}, ` ${p.answered} of ${p.asked} steps answered`)))) : null,
      folds(experiment.fold_progress));
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    if (experiment.status === 'success') {
      clear(status, h('p', {class: 'ok', id: 'experiment-done'}, `Finished ${when(experiment.finished)}.`), missing(experiment));
      renderSuccess(experiment);
    } else {
      const error = experiment.error || {title: experiment.status, detail: 'The analysis did not finish.'};
      // drawn again only when something changed (the hospitals' confirmations of a cancel come in one by one)
      const drawn = `${experiment.status} ${JSON.stringify(experiment.stopped_on_nodes || {})}`;
      if (drawn !== finalDrawn) {
        finalDrawn = drawn;
        clear(status, h('div', {class: experiment.status === 'cancelled' ? 'warning' : 'error', role: 'alert', id: experiment.status === 'cancelled' ? 'experiment-cancelled' : 'experiment-error'},
        h('strong', {}, error.title || 'Error'), ' ', h('span', {class: 'error-detail'}, error.detail || '')),
      experiment.status === 'cancelled' ? stoppedOn(experiment.stopped_on_nodes) : null);
        clear(body);
      }
      // the hospitals confirm that they stopped within moments: look again a few times
      if (experiment.status === 'cancelled' && confirmPolls-- > 0) timer = setTimeout(poll, POLL_MS * 2);
    }
  }

  /** A cross-validation's folds while it runs: done, running, still to do. */
  function folds(f) {
    if (!f || !Array.isArray(f.folds)) return null;
    const words = {done: 'done', running: 'running', 'to do': 'to do'};
    return h('div', {id: 'fold-progress'},
      h('p', {}, h('strong', {}, `Fold ${f.current} of ${f.n_splits}`), ` (${f.folds.filter((x) => x.state === 'done').length} done)`),
      h('ol', {class: 'fold-progress'}, f.folds.map((x) => h('li', {dataset: {fold: x.fold, state: x.state}, class: `fold fold-${x.state.replace(' ', '-')}`,
        title: `Fold ${x.fold}: ${words[x.state] || x.state}`}, `Fold ${x.fold}: ${words[x.state] || x.state}`))));
  }

  /** The hospitals that confirmed they stopped the cancelled analysis, with the queries they interrupted. */
  function stoppedOn(nodes) {
    const entries = Object.entries(nodes || {});
    if (!entries.length) return h('p', {class: 'muted', id: 'stopped-on-nodes'}, 'Asking the hospitals to stop it…');
    return h('p', {id: 'stopped-on-nodes'}, 'Stopped on the hospitals: ',
      entries.map(([node, n]) => `${node} (${n ? `${n} running ${n === 1 ? 'query' : 'queries'} interrupted` : 'nothing was running'})`).join(', '), '.');
  }

  async function cancel() {
    cancelButton.disabled = true;
    try {
      await post(`/experiments/${encodeURIComponent(id)}/cancel`);
    } catch (e) {
      status.append(errorBox(e));
    }
    clearTimeout(timer);
    await poll();
  }

  /** Who was missing: hospitals down or dropped out while the analysis ran with the hospitals available. */
  function missing(e) {
    const datasets = e.result?.missing_datasets;
    if (!Array.isArray(datasets) || !datasets.length) return null;
    return h('p', {class: 'warning', id: 'missing-hospitals', role: 'alert'},
      h('strong', {}, 'Partial result. '), `These datasets were left out because their hospital was not available: ${datasets.join(', ')}. `,
      `Contributing: ${(e.contributions || []).map((c) => c.node).join(', ') || 'none'}.`);
  }

  function renderHeader(e) {
    const input = e.request?.inputdata || {};
    const vars = modelVariables(e);
    const names = (codes) => (codes || []).map((c) => variableName(vars, c)).join(', ') || '—';
    const link = `${location.origin}${location.pathname}#/experiments/${e.id}`;
    const share = h('input', {id: 'share-link', readonly: true, value: link, size: 60, onfocus: (ev) => ev.target.select()});
    const message = h('span', {class: 'muted', 'aria-live': 'polite'});
    const title = e.name || algorithmLabels[e.algorithm] || e.algorithm;
    setTitle(title);
    const nameInput = h('input', {id: 'rename-input', value: e.name || '', maxlength: 200, placeholder: 'Name this experiment'});
    const params = Object.entries(e.request?.parameters || {});
    const flags = e.request?.flags || {};
    clear(header, h('h1', {id: 'experiment-title'}, `${title} `, h('span', {class: `status status-${e.status}`, id: 'experiment-state'}, e.status)),
      h('dl', {class: 'facts'},
        h('dt', {}, 'Algorithm'), h('dd', {id: 'experiment-algorithm'}, algorithmLabels[e.algorithm] || e.algorithm),
        h('dt', {}, 'Data model'), h('dd', {}, input.data_model || '—'),
        h('dt', {}, 'Datasets'), h('dd', {}, (input.datasets || []).map((d) => datasetLabels[d] || d).join(', ') || '—'),
        h('dt', {}, 'Dependent (y)'), h('dd', {id: 'experiment-y'}, names(input.y)),
        h('dt', {}, 'Covariates (x)'), h('dd', {id: 'experiment-x'}, names(input.x)),
        h('dt', {}, 'Filters'), h('dd', {}, input.filters ? describeFilters(input.filters, vars) : 'none'),
        h('dt', {}, 'Parameters'), h('dd', {}, params.length ? params.map(([k, v]) => `${k} = ${Array.isArray(v) || typeof v === 'object' ? JSON.stringify(v) : v}`).join('; ') : 'defaults'),
        flags.allow_partial ? [h('dt', {}, 'Hospitals'), h('dd', {}, `run with the hospitals available (at least ${flags.min_nodes || 1})`)] : null,
        h('dt', {}, 'By'), h('dd', {}, `${e.user || '—'}, ${when(e.created)}`),
        h('dt', {}, 'Contributing hospitals'), h('dd', {id: 'contributing-nodes'},
          (e.contributions || []).map((c) => `${c.node} (${c.rows ?? 'masked'} rows)`).join(', ') || '—')),
      h('div', {class: 'buttons'},
        h('button', {type: 'button', id: 'edit-and-run', class: 'primary', onclick: () => editAndRun(e)}, 'Edit and run'),
        h('button', {type: 'button', id: 'rerun', onclick: async () => {
          try {
            const again = await post('/experiments', {algorithm: e.algorithm, ...e.request, ...(e.name ? {name: e.name} : {})});
            location.hash = `#/experiments/${again.id}`;
          } catch (error) {
            clear(message, errorBox(error));
          }
        }}, 'Run again unchanged'),
        h('form', {class: 'inline', id: 'rename', onsubmit: async (ev) => {
          ev.preventDefault();
          try {
            const renamed = await patch(`/experiments/${encodeURIComponent(e.id)}`, {name: nameInput.value.trim() || null});
            message.textContent = renamed.name ? `Named “${renamed.name}”.` : 'Name removed.';
            e.name = renamed.name;
            renderHeader(e);
          } catch (error) {
            clear(message, errorBox(error));
          }
        }}, field('Name', nameInput), h('button', {type: 'submit'}, 'Save name')),
        field('Share link', share),
        h('button', {type: 'button', onclick: async () => {
          try {
            await navigator.clipboard.writeText(link);
            message.textContent = 'Link copied.';
          } catch {
            share.select();
            message.textContent = 'Press Ctrl+C to copy the selected link.';
          }
        }}, 'Copy link'), message));
  }

  function renderSuccess(e) {
    const rendered = renderResult(e.algorithm, e.result, e.request || {}, modelVariables(e));
    const csv = rendered.tables.map((t) => `${csvRow([t.title])}\n${t.csv}`).join('\n\n');
    clear(body,
      h('div', {class: 'buttons downloads'},
        h('button', {type: 'button', id: 'download-json', onclick: () => download(`${e.algorithm}-${e.id}.json`, JSON.stringify(e.result, null, 2), 'application/json')}, 'Download result as JSON'),
        h('button', {type: 'button', id: 'download-csv', disabled: !rendered.tables.length, onclick: () => download(`${e.algorithm}-${e.id}.csv`, csv, 'text/csv')}, 'Download tables as CSV')),
      rendered.element,
      h('details', {class: 'raw'}, h('summary', {}, 'The result as JSON'), h('pre', {}, JSON.stringify(e.result, null, 2))));
  }

  await poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    disposeCharts();
  };
}

const WORDS = {equal: '=', not_equal: '≠', less: '<', less_or_equal: '≤', greater: '>', greater_or_equal: '≥', between: 'between',
  not_between: 'not between', in: 'in', not_in: 'not in', is_null: 'is empty', is_not_null: 'is not empty'};

/** Filters in words: "Age (years) > 60 and Gender in F, M". */
export function describeFilters(filters, variables) {
  if (!filters?.rules) return JSON.stringify(filters);
  const join = filters.condition === 'OR' ? ' or ' : ' and ';
  return filters.rules.map((r) => {
    if (r.rules) return `(${describeFilters(r, variables)})`;
    const value = Array.isArray(r.value) ? r.value.join(r.operator?.includes('between') ? ' and ' : ', ') : r.value ?? '';
    return `${variableName(variables, r.field || r.id)} ${WORDS[r.operator] || r.operator} ${value}`.trim();
  }).join(join);
}
