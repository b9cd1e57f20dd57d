// A parameter form generated from an algorithm's spec (Exareme2's format), validated before submit.
import {field, h, setFieldError} from './dom.js';

/**
 * @param spec the algorithm's spec from GET /algorithms
 * @param chosen {y: [codes], x: [codes]} and the data model's variables, for enums taken from the input variables
 * @param initial values to start from (edit and run): {name: value}
 * @returns {element, values(): object|null} values() marks the invalid fields and answers null
 */
export function parameterForm(spec, chosen, variables, initial = {}) {
  const params = Object.entries(spec.parameters || {});
  const controls = [];
  for (const [name, p] of params) {
    const types = p.types || [];
    const enums = enumerations(p, chosen, variables);
    const start = initial[name] !== undefined ? initial[name] : defaultFor(spec, name, p, chosen, variables);
    let control;
    let read;
    if (types.includes('dict') && p.transformation_method) {
      const form = transformationForm(name, p, chosen, variables, start);
      control = form.element;
      read = form.read;
    } else if (types.includes('dict')) {
      control = h('textarea', {name, rows: 3, placeholder: '{"key": "value"}', class: 'param'});
      if (start !== undefined) control.value = JSON.stringify(start);
      read = () => (control.value.trim() ? JSON.parse(control.value) : undefined);
    } else if (enums) {
      const picked = (value) => (p.multiple && Array.isArray(start) ? start.map(String).includes(value) : String(start) === value);
      control = h('select', {name, class: 'param', multiple: Boolean(p.multiple)},
        p.notblank || p.multiple ? null : h('option', {value: ''}, '(default)'),
        enums.map(([value, text]) => h('option', {value, selected: picked(value)}, text)));
      read = () => (p.multiple ? [...control.selectedOptions].map((o) => o.value) : control.value || undefined);
    } else if (types.includes('bool') || types.includes('boolean')) {
      control = h('input', {name, type: 'checkbox', class: 'param', checked: start === true});
      read = () => control.checked;
    } else if (p.multiple && (types.includes('int') || types.includes('real'))) {
      // a list of numbers (quantiles' probabilities): one text field, numbers separated by commas
      control = h('input', {name, class: 'param', type: 'text', value: Array.isArray(start) ? start.join(', ') : start ?? '',
        placeholder: 'numbers separated by commas', required: Boolean(p.notblank)});
      read = () => {
        const text = control.value.trim();
        if (text === '') return undefined;
        return text.split(/[\s,;]+/).filter(Boolean).map((t) => {
          const number = Number(t);
          if (!Number.isFinite(number)) throw new Error(`"${t}" is not a number`);
          if (!types.includes('real') && !Number.isInteger(number)) throw new Error(`${t} is not a whole number`);
          if (p.min !== undefined && number < p.min) throw new Error(`each must be at least ${p.min}, not ${t}`);
          if (p.max !== undefined && number > p.max) throw new Error(`each must be at most ${p.max}, not ${t}`);
          return number;
        });
      };
    } else if (types.includes('int') || types.includes('real')) {
      const integer = !types.includes('real');
      control = h('input', {name, class: 'param', type: 'number', step: integer ? '1' : 'any', min: p.min, max: p.max,
        value: start ?? '', required: Boolean(p.notblank)});
      read = () => {
        const text = control.value.trim();
        if (text === '') return undefined;
        const number = Number(text);
        if (!Number.isFinite(number)) throw new Error('must be a number');
        if (integer && !Number.isInteger(number)) throw new Error('must be a whole number');
        if (p.min !== undefined && number < p.min) throw new Error(`must be at least ${p.min}`);
        if (p.max !== undefined && number > p.max) throw new Error(`must be at most ${p.max}`);
        return number;
      };
    } else {
      control = h('input', {name, class: 'param', type: 'text', value: start ?? '', required: Boolean(p.notblank)});
      read = () => control.value.trim() || undefined;
    }
    control.id = `param-${name}`;
    controls.push({name, p, control, read});
  }
  const element = h('div', {class: 'params', id: 'parameters'},
    params.length ? controls.map(({p, control}) => field(p.label || p.name, control, p.desc && p.desc !== p.label ? p.desc : undefined))
      : h('p', {class: 'muted'}, 'This algorithm has no parameters.'));
  return {
    element,
    /** The values as they stand, without marking anything (for the draft); unreadable fields are left out. */
    peek() {
      const out = {};
      for (const {name, read} of controls) {
        try {
          const value = read();
          if (value !== undefined) out[name] = value;
        } catch {
          // not readable yet
        }
      }
      return out;
    },
    values() {
      const out = {};
      let ok = true;
      for (const {name, p, control, read} of controls) {
        let value;
        try {
          value = read();
          const blank = value === undefined || (Array.isArray(value) && !value.length);
          if (blank && p.notblank) throw new Error('is required');
          setFieldError(control, '');
        } catch (e) {
          setFieldError(control, `${p.label || name} ${e instanceof SyntaxError ? 'must be JSON' : e.message}.`);
          if (ok) control.focus();
          ok = false;
          continue;
        }
        if (value !== undefined) out[name] = value;
      }
      return ok ? out : null;
    },
  };
}

/**
 * The value a field starts with: the spec's default, except the bin width of Kaplan–Meier and Cox regression.
 * Kaplan–Meier's starts at a hundredth of the time variable's range rounded up to 1, 2 or 5 times a power of ten (at
 * least 1 for whole-number times): each node joins a bin holding between one and its minimum of events or censored rows
 * to the bins after it (join_sparse_bins, on by default), so a fine width gives as many steps as every hospital's rows
 * allow. Cox regression's starts wider, at an eighth of the range (so that a model has several risk sets): its nodes
 * refuse every bin that holds between one and their minimum of events or censored rows.
 */
function defaultFor(spec, name, p, chosen, variables) {
  if (name === 'bin_width' && (spec.name === 'kaplan_meier' || spec.name === 'cox_regression')) {
    const time = variables[chosen.y?.[0]];
    if (time && typeof time.min === 'number' && typeof time.max === 'number' && time.max > time.min) {
      const share = spec.name === 'kaplan_meier' ? 100 : 8;
      const width = niceWidth((time.max - time.min) / share);
      return time.sql_type === 'int' ? Math.max(1, width) : width;
    }
    return spec.name === 'kaplan_meier' ? 1 : 20;
  }
  return p.default;
}

/** 1, 2 or 5 times a power of ten, at least {@code raw}. */
export function niceWidth(raw) {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((w) => w >= raw * 0.999);
}

/**
 * A data transformation (PCA's {"log": [variables], "standardize": [...]}) as a table of check boxes: a row per
 * chosen variable, a column per method.
 */
function transformationForm(name, p, chosen, variables, start) {
  const methods = p.transformation_method.source || [];
  const codes = (p.variables_to_transform?.source || ['x', 'y']).flatMap((s) => chosen[s] || []);
  const boxes = [];
  const element = h('table', {class: 'data transformation', id: `param-${name}`, tabindex: -1},
    h('caption', {class: 'visually-hidden'}, p.label || name),
    h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Variable'), methods.map((m) => h('th', {scope: 'col'}, m)))),
    h('tbody', {}, codes.map((code) => h('tr', {dataset: {variable: code}},
      h('th', {scope: 'row'}, variables[code]?.label || code),
      methods.map((m) => {
        const box = h('input', {type: 'checkbox', class: 'transform', dataset: {method: m, variable: code},
          checked: Array.isArray(start?.[m]) && start[m].includes(code),
          'aria-label': `${m} ${variables[code]?.label || code}`});
        boxes.push(box);
        return h('td', {}, box);
      })))));
  if (!codes.length) element.append(h('caption', {class: 'muted'}, 'Choose variables first.'));
  const read = () => {
    const out = {};
    for (const b of boxes) {
      if (b.checked) (out[b.dataset.method] ||= []).push(b.dataset.variable);
    }
    if ((out.log || []).some((v) => (out.exp || []).includes(v))) throw new Error('cannot take both log and exp of one variable');
    return Object.keys(out).length ? out : undefined;
  };
  return {element, read};
}

function enumerations(p, chosen, variables) {
  const e = p.enums;
  if (!e) return null;
  if (e.type === 'list') return e.source.map((v) => [v, v]);
  if (e.type === 'input_var_CDE_enums' || e.type === 'fixed_var_CDE_enums') {
    const codes = e.type === 'fixed_var_CDE_enums' ? e.source : e.source.flatMap((s) => chosen[s] || []);
    return codes.flatMap((c) => Object.entries(variables[c]?.enumerations || {}).map(([code, label]) => [code, `${label} (${code})`]));
  }
  if (e.type === 'input_var_names') return e.source.flatMap((s) => chosen[s] || []).map((c) => [c, variables[c]?.label || c]);
  return null;
}

/** Whether an algorithm accepts the chosen variables; answers the reason when it does not. */
export function refusal(spec, chosen, variables) {
  for (const role of ['y', 'x']) {
    const input = spec.inputdata?.[role];
    const codes = chosen[role];
    if (!input) {
      if (codes.length) return `takes no ${role === 'y' ? 'dependent' : 'independent'} variables`;
      continue;
    }
    const name = input.label || role;
    if (input.notblank && !codes.length) return `needs ${name}`;
    if (!input.multiple && codes.length > 1) return `takes one ${name}`;
    for (const code of codes) {
      const cde = variables[code];
      const stattype = cde.is_categorical ? 'nominal' : 'numerical';
      if ((input.types && !input.types.includes(cde.sql_type)) || (input.stattypes && !input.stattypes.includes(stattype))) {
        return `${name}: ${cde.label || code} is ${cde.sql_type}/${stattype}, it takes ${(input.stattypes || input.types).join(' or ')}`;
      }
    }
  }
  return null;
}
