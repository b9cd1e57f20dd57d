// A parameter form generated from an algorithm's spec (Exareme2's format), validated before submit.
import {field, h, setFieldError} from './dom.js';

/**
 * @param spec the algorithm's spec from GET /algorithms
 * @param chosen {y: [codes], x: [codes]} and the data model's variables, for enums taken from the input variables
 * @returns {element, values(): object|null} values() marks the invalid fields and answers null
 */
export function parameterForm(spec, chosen, variables) {
  const params = Object.entries(spec.parameters || {});
  const controls = [];
  for (const [name, p] of params) {
    const types = p.types || [];
    const enums = enumerations(p, chosen, variables);
    let control;
    let read;
    if (types.includes('dict')) {
      control = h('textarea', {name, rows: 3, placeholder: '{"lefthippocampus": "standardize"}', class: 'param'});
      read = () => (control.value.trim() ? JSON.parse(control.value) : undefined);
    } else if (enums) {
      control = h('select', {name, class: 'param', multiple: Boolean(p.multiple)},
        p.notblank || p.multiple ? null : h('option', {value: ''}, '(default)'),
        enums.map(([value, text]) => h('option', {value, selected: p.default === value}, text)));
      read = () => (p.multiple ? [...control.selectedOptions].map((o) => o.value) : control.value || undefined);
    } else if (types.includes('bool') || types.includes('boolean')) {
      control = h('input', {name, type: 'checkbox', class: 'param', checked: p.default === true});
      read = () => control.checked;
    } else if (types.includes('int') || types.includes('real')) {
      const integer = !types.includes('real');
      control = h('input', {name, class: 'param', type: 'number', step: integer ? '1' : 'any', min: p.min, max: p.max,
        value: p.default ?? '', required: Boolean(p.notblank)});
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
      control = h('input', {name, class: 'param', type: 'text', value: p.default ?? '', required: Boolean(p.notblank)});
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
