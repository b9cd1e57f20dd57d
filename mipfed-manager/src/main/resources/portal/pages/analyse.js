// Analyse: variables picked from the data model's tree, filters, an algorithm that accepts them and its parameters,
// the hospitals and datasets to use (and which are down), then runs an experiment. The draft survives navigation
// (sessionStorage), and "Edit and run" on a result fills it from that experiment.
import {get, post} from '../api.js';
import {loadCatalogue} from '../catalogue.js';
import {clear, errorBox, field, h, setTitle} from '../dom.js';
import {nodeState} from '../nodes.js';
import {parameterForm, refusal} from '../paramform.js';
import {VariablePicker} from '../picker.js';
import {QueryBuilder} from '../querybuilder.js';

const DRAFT = 'mipfed.analyse.draft';
/** The shown page's way to save its draft: "Start afresh" draws a new page that the router's leave hook must reach. */
let rememberShown = null;

/** The draft of the Analyse form, or {}. */
export function loadDraft() {
  try {
    return JSON.parse(sessionStorage.getItem(DRAFT) || '{}') || {};
  } catch {
    return {};
  }
}

export function saveDraft(draft) {
  sessionStorage.setItem(DRAFT, JSON.stringify(draft));
}

/** Opens Analyse filled with an experiment's request (edit and run). */
export function editAndRun(experiment) {
  const request = experiment.request || {};
  const input = request.inputdata || {};
  saveDraft({
    model: input.data_model, y: input.y || [], x: input.x || [], filters: input.filters || null,
    datasets: input.datasets || null, algorithm: experiment.algorithm, parameters: request.parameters || {},
    flags: request.flags || {}, name: experiment.name ? `${experiment.name} (edited)` : '',
  });
  location.hash = '#/analyse';
}

export async function analysePage(main) {
  setTitle('Analyse');
  const [catalogue, algorithms] = await Promise.all([loadCatalogue(), get('/algorithms')]);
  const models = catalogue.models.filter((m) => Object.keys(m.datasets).length || Object.keys(m.unavailable).length);
  if (!models.length) {
    clear(main, h('h1', {}, 'Analyse'), h('p', {class: 'error', role: 'alert', id: 'no-datasets'},
      'No dataset is available: no started node is connected. An administrator starts nodes on the Administer page.'));
    return;
  }
  const draft = loadDraft();
  const modelSelect = h('select', {id: 'analyse-model'}, models.map((m) => h('option', {value: m.id}, `${m.label} (${m.id})`)));
  if (models.some((m) => m.id === draft.model)) modelSelect.value = draft.model;
  const pickerBox = h('div', {id: 'picker-box'});
  const filtersBox = h('div', {id: 'filters-box'});
  const algorithmSelect = h('select', {id: 'algorithm'});
  const algorithmNote = h('details', {class: 'muted', id: 'algorithm-note'});
  const paramsBox = h('div', {id: 'params-box'});
  const hospitalsBox = h('div', {id: 'hospitals'});
  const datasetsBox = h('fieldset', {class: 'datasets', id: 'datasets'});
  const datasetsDetails = h('details', {id: 'datasets-details'}, h('summary', {id: 'datasets-summary'}), datasetsBox);
  const message = h('div', {id: 'analyse-message', 'aria-live': 'polite'});
  const run = h('button', {type: 'submit', id: 'run', class: 'primary'}, 'Run analysis');
  const smpc = h('input', {type: 'checkbox', id: 'smpc', checked: draft.flags?.smpc === true});
  const partial = h('input', {type: 'checkbox', id: 'allow-partial', checked: draft.flags?.allow_partial === true});
  const minNodes = h('input', {type: 'number', id: 'min-nodes', min: 1, step: 1, value: draft.flags?.min_nodes ?? 1, size: 4});
  const name = h('input', {id: 'experiment-name', maxlength: 200, value: draft.name || '', placeholder: 'e.g. Hippocampus and age, over 60s'});
  let picker;
  let builder;
  let params;
  let startParameters = draft.parameters || {};

  const model = () => models.find((m) => m.id === modelSelect.value);
  const chosen = () => picker.value();
  const datasetBoxes = () => [...datasetsBox.querySelectorAll('input[name=dataset]')];

  function remember() {
    let filters = null;
    try {
      filters = builder.value();
    } catch {
      filters = draft.filters ?? null; // an unfinished rule: keep what was last complete
    }
    let parameters = startParameters;
    try {
      parameters = params?.peek() ?? startParameters;
    } catch {
      parameters = startParameters;
    }
    Object.assign(draft, {
      model: modelSelect.value, ...chosen(), filters, algorithm: algorithmSelect.value || draft.algorithm,
      datasets: datasetBoxes().filter((c) => c.checked).map((c) => c.value), parameters,
      flags: {allow_partial: partial.checked, min_nodes: Number(minNodes.value) || 1, smpc: smpc.checked}, name: name.value,
    });
    saveDraft(draft);
  }

  function renderModel(first) {
    const m = model();
    const start = first ? draft : {};
    picker = new VariablePicker(m.variables, start, () => {
      renderAlgorithms();
      remember();
    }, (code) => {
      builder.addRuleFor(code);
      filtersBox.closest('section').scrollIntoView({block: 'nearest'});
    });
    clear(pickerBox, picker.element);
    builder = new QueryBuilder(m.variables);
    if (start.filters) builder.load(start.filters);
    clear(filtersBox, builder.element);
    renderHospitals(m, first && Array.isArray(draft.datasets) ? new Set(draft.datasets) : null);
    renderAlgorithms(first ? draft.algorithm : null);
  }

  /** The hospitals (nodes) by state, the datasets each holds, and what a down or stopped one removes. */
  function renderHospitals(m, chosenSet) {
    const byNode = new Map();
    for (const [code, d] of Object.entries(m.datasets)) {
      if (!byNode.has(d.node)) byNode.set(d.node, {available: true, datasets: []});
      byNode.get(d.node).datasets.push([code, d]);
    }
    for (const [code, d] of Object.entries(m.unavailable)) {
      if (!byNode.has(d.node)) byNode.set(d.node, {available: false, datasets: []});
      byNode.get(d.node).datasets.push([code, d]);
    }
    const nodes = new Map(catalogue.nodes.map((n) => [n.alias || n.id, n]));
    const away = [...byNode.entries()].filter(([, v]) => !v.available);
    clear(hospitalsBox,
      h('ul', {class: 'hospitals', id: 'hospital-states'}, [...byNode.entries()].map(([node, v]) => {
        const state = nodeState(nodes.get(node) || {status: v.available ? 'ready' : 'down', availability: 'active'});
        return h('li', {class: `hospital hospital-${state.key}`, dataset: {node}},
          h('strong', {}, node), ' ', h('span', {class: `status status-${state.key}`}, state.words),
          v.available ? h('span', {class: 'muted'}, ` — ${v.datasets.length} datasets`)
            : h('span', {class: 'removes'}, ` — its ${v.datasets.length} datasets cannot be used now: ${v.datasets.map(([c, d]) => d.label || c).join(', ')}`));
      })),
      away.length ? h('p', {class: 'warning', id: 'hospitals-away'},
        `${away.map(([n]) => n).join(', ')} ${away.length === 1 ? 'is' : 'are'} not available. Leave their datasets out below, or run with the hospitals available.`) : null,
      h('div', {class: 'partial'},
        h('label', {class: 'check'}, partial, ' Run with the hospitals available: if a hospital is down or drops out, finish without its datasets and name it in the result'),
        field('At least this many hospitals must contribute', minNodes)));
    clear(datasetsBox, h('legend', {}, 'Datasets'),
      h('div', {class: 'buttons'},
        h('button', {type: 'button', class: 'link', onclick: () => setAll(true)}, 'Select all'),
        h('button', {type: 'button', class: 'link', onclick: () => setAll(false)}, 'Select none')),
      [...byNode.entries()].map(([node, v]) => h('div', {class: 'node-datasets', dataset: {node}},
        h('span', {class: 'node-name'}, node, v.available ? '' : ' (not available)'),
        v.datasets.map(([code, d]) => h('label', {class: `check${v.available ? '' : ' unavailable'}`},
          h('input', {type: 'checkbox', name: 'dataset', value: code, checked: chosenSet ? chosenSet.has(code) : v.available,
            dataset: {node, available: String(v.available)}}),
          ` ${d.label || code} `, h('span', {class: 'muted'}, v.available ? `(${d.rows} rows)` : '(hospital not available)'))))));
    summariseDatasets();
  }

  function summariseDatasets() {
    const all = datasetBoxes();
    const on = all.filter((c) => c.checked).length;
    datasetsDetails.querySelector('summary').textContent = `Datasets: ${on} of ${all.length} chosen`;
  }

  function setAll(on) {
    datasetBoxes().forEach((c) => { c.checked = on; });
    summariseDatasets();
    remember();
  }

  function renderAlgorithms(prefer) {
    const c = chosen();
    const variables = model().variables;
    const before = prefer || algorithmSelect.value;
    const ok = [];
    const refused = [];
    for (const a of algorithms) {
      const reason = refusal(a, c, variables);
      if (reason) refused.push([a, reason]);
      else ok.push(a);
    }
    clear(algorithmSelect,
      h('option', {value: ''}, ok.length ? `Choose one of ${ok.length} algorithms` : 'No algorithm accepts these variables'),
      ok.map((a) => h('option', {value: a.name, title: a.desc}, a.label || a.name)));
    const changed = !ok.some((a) => a.name === before);
    if (!changed) algorithmSelect.value = before;
    clear(algorithmNote, h('summary', {}, `${refused.length} algorithms do not fit the chosen variables`),
      h('ul', {}, refused.map(([a, reason]) => h('li', {}, h('strong', {}, a.label || a.name), `: ${reason}`))));
    renderParams();
  }

  function renderParams() {
    const spec = algorithms.find((a) => a.name === algorithmSelect.value);
    if (params) {
      try {
        startParameters = params.peek() ?? startParameters;
      } catch {
        // keep the last readable values
      }
    }
    if (spec && spec.name !== params?.algorithm) startParameters = spec.name === draft.algorithm ? draft.parameters || {} : {};
    params = spec ? parameterForm(spec, chosen(), model().variables, startParameters) : null;
    if (params) params.algorithm = spec.name;
    clear(paramsBox, spec ? [h('p', {class: 'muted'}, spec.desc), params.element] : h('p', {class: 'muted'}, 'Choose variables, then an algorithm.'));
  }

  async function submit(event) {
    event.preventDefault();
    clear(message);
    const boxes = datasetBoxes().filter((c) => c.checked);
    const datasets = boxes.map((c) => c.value);
    const down = boxes.filter((c) => c.dataset.available !== 'true');
    const problems = [];
    if (!datasets.length) problems.push('Choose at least one dataset.');
    if (down.length && !partial.checked) {
      const hospitals = [...new Set(down.map((c) => c.dataset.node))];
      problems.push(`${down.map((c) => c.value).join(', ')} ${down.length === 1 ? 'is' : 'are'} on ${hospitals.join(', ')}, not available now: leave ${down.length === 1 ? 'it' : 'them'} out, or tick “Run with the hospitals available”.`);
    }
    if (!algorithmSelect.value) problems.push('Choose an algorithm (it is offered once the chosen variables fit it).');
    let filters = null;
    try {
      filters = builder.value();
    } catch (e) {
      problems.push(e.message);
    }
    const parameters = params ? params.values() : {};
    if (params && !parameters) problems.push('Correct the parameters marked below.');
    const min = Number(minNodes.value);
    if (partial.checked && !(Number.isInteger(min) && min >= 1)) problems.push('“At least this many hospitals” must be a whole number of at least 1.');
    if (problems.length) {
      clear(message, h('div', {class: 'error', role: 'alert', id: 'validation'}, h('ul', {}, problems.map((p) => h('li', {}, p)))));
      return;
    }
    remember();
    const c = chosen();
    const inputdata = {data_model: model().id, datasets, y: c.y, x: c.x};
    if (filters) inputdata.filters = filters;
    run.disabled = true;
    try {
      const body = {algorithm: algorithmSelect.value, inputdata, parameters};
      const flags = {};
      if (smpc.checked) flags.smpc = true;
      if (partial.checked) Object.assign(flags, {allow_partial: true, min_nodes: min});
      if (Object.keys(flags).length) body.flags = flags;
      if (name.value.trim()) body.name = name.value.trim();
      const experiment = await post('/experiments', body);
      location.hash = `#/experiments/${experiment.id}`;
    } catch (e) {
      clear(message, errorBox(e));
    } finally {
      run.disabled = false;
    }
  }

  modelSelect.addEventListener('change', () => {
    renderModel(false);
    remember();
  });
  algorithmSelect.addEventListener('change', () => {
    renderParams();
    remember();
  });
  for (const input of [name, partial, minNodes, smpc]) input.addEventListener('change', remember);
  datasetsBox.addEventListener('change', () => {
    summariseDatasets();
    remember();
  });

  clear(main, h('h1', {}, 'Analyse'),
    h('form', {id: 'analyse', onsubmit: submit, novalidate: true},
      h('div', {class: 'toolbar'}, field('Data model', modelSelect), field('Experiment name (optional)', name),
        h('button', {type: 'button', id: 'reset-analysis', class: 'link', onclick: () => {
          sessionStorage.removeItem(DRAFT);
          rememberShown = null;
          analysePage(main).catch((e) => clear(main, errorBox(e)));
        }}, 'Start afresh')),
      h('section', {class: 'card'}, h('h2', {}, 'Variables'), pickerBox),
      h('section', {class: 'card'}, h('h2', {}, 'Filters'), filtersBox),
      h('section', {class: 'card'}, h('h2', {}, 'Algorithm'), field('Algorithm', algorithmSelect), algorithmNote, paramsBox,
        h('label', {class: 'check'}, smpc, ' Secure aggregation: the manager sees only sums over hospitals, never one hospital\'s figures ',
          h('span', {class: 'muted'}, '(linear and logistic regression, GLM, correlation, PCA; needs two or more hospitals)'))),
      h('section', {class: 'card'}, h('h2', {}, 'Hospitals and datasets'), hospitalsBox, datasetsDetails),
      message, h('div', {class: 'buttons'}, run)));
  renderModel(true);
  rememberShown = remember;
  // the form's own fields (filters, parameters) change without telling the picker: remember them as they change
  main.querySelector('#analyse').addEventListener('change', remember);
  main.querySelector('#analyse').addEventListener('input', remember);
  return () => rememberShown?.();
}
