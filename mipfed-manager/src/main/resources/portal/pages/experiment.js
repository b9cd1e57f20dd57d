// One experiment: its inputs, progress while it runs, then its result (or the API's error); re-run and share.
import {get, post} from '../api.js';
import {disposeCharts} from '../charts.js';
import {clear, download, errorBox, field, h, when} from '../dom.js';
import {csvRow, renderResult} from '../results.js';

const POLL_MS = 500;

export async function experimentPage(main, id) {
  let timer = null;
  let stopped = false;
  let shown = null;
  const status = h('div', {id: 'experiment-status', role: 'status', 'aria-live': 'polite'});
  const body = h('div', {id: 'experiment-body'});
  const header = h('div');
  clear(main, header, status, body);

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
      clear(status, h('div', {class: 'progress'}, h('progress', {'aria-label': 'Analysis in progress'}),
        ` ${experiment.status === 'pending' ? 'Waiting to start' : 'Running on the nodes'}… ${since.toFixed(0)} s`));
      timer = setTimeout(poll, POLL_MS);
      return;
    }
    if (experiment.status === 'success') {
      clear(status, h('p', {class: 'ok', id: 'experiment-done'}, `Finished ${when(experiment.finished)}.`));
      renderSuccess(experiment);
    } else {
      const error = experiment.error || {title: experiment.status, detail: 'The analysis did not finish.'};
      clear(status, h('div', {class: 'error', role: 'alert', id: 'experiment-error'},
        h('strong', {}, error.title || 'Error'), ' ', h('span', {class: 'error-detail'}, error.detail || '')));
      clear(body);
    }
  }

  function renderHeader(e) {
    const input = e.request?.inputdata || {};
    const link = `${location.origin}${location.pathname}#/experiments/${e.id}`;
    const share = h('input', {id: 'share-link', readonly: true, value: link, size: 70, onfocus: (ev) => ev.target.select()});
    const message = h('span', {class: 'muted', 'aria-live': 'polite'});
    clear(header, h('h1', {}, `${e.algorithm} `, h('span', {class: `status status-${e.status}`, id: 'experiment-state'}, e.status)),
      h('dl', {class: 'facts'},
        h('dt', {}, 'Data model'), h('dd', {}, input.data_model || '—'),
        h('dt', {}, 'Datasets'), h('dd', {}, (input.datasets || []).join(', ') || '—'),
        h('dt', {}, 'Dependent (y)'), h('dd', {}, (input.y || []).join(', ') || '—'),
        h('dt', {}, 'Independent (x)'), h('dd', {}, (input.x || []).join(', ') || '—'),
        h('dt', {}, 'Filters'), h('dd', {}, input.filters ? h('code', {}, JSON.stringify(input.filters)) : 'none'),
        h('dt', {}, 'Parameters'), h('dd', {}, e.request?.parameters && Object.keys(e.request.parameters).length ? h('code', {}, JSON.stringify(e.request.parameters)) : 'defaults'),
        h('dt', {}, 'By'), h('dd', {}, `${e.user || '—'}, ${when(e.created)}`),
        h('dt', {}, 'Contributing nodes'), h('dd', {id: 'contributing-nodes'},
          (e.contributions || []).map((c) => `${c.node} (${c.rows} rows)`).join(', ') || '—')),
      h('div', {class: 'buttons'},
        h('button', {type: 'button', id: 'rerun', onclick: async () => {
          try {
            const again = await post('/experiments', {algorithm: e.algorithm, ...e.request});
            location.hash = `#/experiments/${again.id}`;
          } catch (error) {
            clear(message, errorBox(error));
          }
        }}, 'Run again'),
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
    const rendered = renderResult(e.algorithm, e.result, e.request || {});
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

