// Analyse: datasets, variables, filters, an algorithm that accepts them and its parameters; runs an experiment.
import {get, post} from '../api.js';
import {loadCatalogue, typeLabel} from '../catalogue.js';
import {clear, errorBox, field, h} from '../dom.js';
import {parameterForm, refusal} from '../paramform.js';
import {QueryBuilder} from '../querybuilder.js';

export async function analysePage(main) {
  const [catalogue, algorithms] = await Promise.all([loadCatalogue(), get('/algorithms')]);
  const models = catalogue.models.filter((m) => Object.keys(m.datasets).length);
  if (!models.length) {
    clear(main, h('h1', {}, 'Analyse'), h('p', {class: 'error', role: 'alert', id: 'no-datasets'},
      'No dataset is available: no started node is connected. An administrator starts nodes on the Administer page.'));
    return;
  }
  const modelSelect = h('select', {id: 'analyse-model'}, models.map((m) => h('option', {value: m.id}, `${m.label} (${m.id})`)));
  const datasetsBox = h('fieldset', {class: 'datasets', id: 'datasets'});
  const ySelect = h('select', {id: 'y-variables', multiple: true, size: 10});
  const xSelect = h('select', {id: 'x-variables', multiple: true, size: 10});
  const filtersBox = h('div', {id: 'filters-box'});
  const algorithmSelect = h('select', {id: 'algorithm'});
  const algorithmNote = h('details', {class: 'muted', id: 'algorithm-note'});
  const paramsBox = h('div', {id: 'params-box'});
  const message = h('div', {id: 'analyse-message', 'aria-live': 'polite'});
  const run = h('button', {type: 'submit', id: 'run', class: 'primary'}, 'Run analysis');
  const smpc = h('input', {type: 'checkbox', id: 'smpc'});
  let builder;
  let params;

  const model = () => models.find((m) => m.id === modelSelect.value);
  const selected = (select) => [...select.selectedOptions].map((o) => o.value);
  const chosen = () => ({y: selected(ySelect), x: selected(xSelect)});

  function variableOptions(variables) {
    const groups = new Map();
    for (const cde of Object.values(variables)) {
      const g = cde.group || 'Other';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(cde);
    }
    return [...groups.entries()].map(([g, cdes]) => h('optgroup', {label: g},
      cdes.map((c) => h('option', {value: c.code, title: typeLabel(c)}, `${c.label || c.code} (${c.code}, ${typeLabel(c)})`))));
  }

  function renderModel() {
    const m = model();
    const byNode = new Map();
    for (const [code, d] of Object.entries(m.datasets)) {
      if (!byNode.has(d.node)) byNode.set(d.node, []);
      byNode.get(d.node).push([code, d]);
    }
    clear(datasetsBox, h('legend', {}, 'Datasets'),
      h('div', {class: 'buttons'},
        h('button', {type: 'button', class: 'link', onclick: () => setAll(true)}, 'Select all'),
        h('button', {type: 'button', class: 'link', onclick: () => setAll(false)}, 'Select none')),
      [...byNode.entries()].map(([node, list]) => h('div', {class: 'node-datasets', dataset: {node}},
        h('span', {class: 'node-name'}, node),
        list.map(([code, d]) => h('label', {class: 'check'},
          h('input', {type: 'checkbox', name: 'dataset', value: code, checked: true, dataset: {node}}),
          ` ${d.label || code} `, h('span', {class: 'muted'}, `(${d.rows} rows)`))))));
    ySelect.replaceChildren(...variableOptions(m.variables));
    xSelect.replaceChildren(...variableOptions(m.variables));
    builder = new QueryBuilder(m.variables);
    clear(filtersBox, builder.element);
    renderAlgorithms();
  }

  function setAll(on) {
    datasetsBox.querySelectorAll('input[name=dataset]').forEach((c) => { c.checked = on; });
  }

  function renderAlgorithms() {
    const c = chosen();
    const variables = model().variables;
    const before = algorithmSelect.value;
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
    if (ok.some((a) => a.name === before)) algorithmSelect.value = before;
    clear(algorithmNote, h('summary', {}, `${refused.length} algorithms do not fit the chosen variables`),
      h('ul', {}, refused.map(([a, reason]) => h('li', {}, h('strong', {}, a.label || a.name), `: ${reason}`))));
    renderParams();
  }

  function renderParams() {
    const spec = algorithms.find((a) => a.name === algorithmSelect.value);
    params = spec ? parameterForm(spec, chosen(), model().variables) : null;
    clear(paramsBox, spec ? [h('p', {class: 'muted'}, spec.desc), params.element] : h('p', {class: 'muted'}, 'Choose variables, then an algorithm.'));
  }

  async function submit(event) {
    event.preventDefault();
    clear(message);
    const datasets = [...datasetsBox.querySelectorAll('input[name=dataset]:checked')].map((c) => c.value);
    const problems = [];
    if (!datasets.length) problems.push('Choose at least one dataset.');
    if (!algorithmSelect.value) problems.push('Choose an algorithm (it is offered once the chosen variables fit it).');
    let filters = null;
    try {
      filters = builder.value();
    } catch (e) {
      problems.push(e.message);
    }
    const parameters = params ? params.values() : {};
    if (params && !parameters) problems.push('Correct the parameters marked below.');
    if (problems.length) {
      clear(message, h('div', {class: 'error', role: 'alert', id: 'validation'}, h('ul', {}, problems.map((p) => h('li', {}, p)))));
      return;
    }
    const c = chosen();
    const inputdata = {data_model: model().id, datasets, y: c.y, x: c.x};
    if (filters) inputdata.filters = filters;
    run.disabled = true;
    try {
      const body = {algorithm: algorithmSelect.value, inputdata, parameters};
      if (smpc.checked) body.flags = {smpc: true};
      const experiment = await post('/experiments', body);
      location.hash = `#/experiments/${experiment.id}`;
    } catch (e) {
      clear(message, errorBox(e));
    } finally {
      run.disabled = false;
    }
  }

  modelSelect.addEventListener('change', renderModel);
  ySelect.addEventListener('change', renderAlgorithms);
  xSelect.addEventListener('change', renderAlgorithms);
  algorithmSelect.addEventListener('change', renderParams);

  clear(main, h('h1', {}, 'Analyse'),
    h('form', {id: 'analyse', onsubmit: submit, novalidate: true},
      h('div', {class: 'toolbar'}, field('Data model', modelSelect)),
      h('section', {class: 'card'}, datasetsBox),
      h('section', {class: 'card'}, h('h2', {}, 'Variables'),
        h('div', {class: 'columns'},
          field('Dependent variables (y)', ySelect, 'Ctrl/⌘-click or Shift + arrows to choose several.'),
          field('Independent variables (x, covariates)', xSelect, 'Optional for some algorithms.'))),
      h('section', {class: 'card'}, h('h2', {}, 'Filters'), filtersBox),
      h('section', {class: 'card'}, h('h2', {}, 'Algorithm'), field('Algorithm', algorithmSelect), algorithmNote, paramsBox,
        h('label', {class: 'check'}, smpc, ' Secure aggregation: the manager sees only sums over hospitals, never one hospital\'s figures ',
          h('span', {class: 'muted'}, '(linear and logistic regression, GLM, correlation, PCA; needs two or more hospitals)'))),
      message, h('div', {class: 'buttons'}, run)));
  renderModel();
}
