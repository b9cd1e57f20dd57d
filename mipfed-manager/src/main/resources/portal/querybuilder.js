// A query builder writing jQuery-QueryBuilder's filters JSON, the shape the API takes:
// {condition: 'AND'|'OR', rules: [{id, field, type, input, operator, value} | group]}.
import {h, uid} from './dom.js';

const OPERATORS = {
  equal: ['=', 1], not_equal: ['≠', 1], less: ['<', 1], less_or_equal: ['≤', 1], greater: ['>', 1], greater_or_equal: ['≥', 1],
  between: ['between', 2], not_between: ['not between', 2], in: ['in', -1], not_in: ['not in', -1],
  is_null: ['is empty', 0], is_not_null: ['is not empty', 0],
};
const NOMINAL_OPERATORS = ['equal', 'not_equal', 'in', 'not_in', 'is_null', 'is_not_null'];

export class QueryBuilder {
  constructor(variables) {
    this.variables = variables;
    this.root = this.group(true);
    this.element = h('div', {class: 'query-builder', id: 'filters'}, this.root.element);
  }

  /** The filters JSON, or null when there is no rule. Throws an Error naming the first incomplete rule. */
  value() {
    return this.root.rules.length ? this.root.value() : null;
  }

  /** Adds a rule on the variable {@code code} to the outer group and focuses its comparison. */
  addRuleFor(code) {
    this.root.addRule(code, true);
  }

  /** Fills the builder from filters JSON (edit and run); rules on variables this data model lacks are left out. */
  load(filters) {
    if (filters && Array.isArray(filters.rules)) this.root.load(filters);
  }

  group(isRoot) {
    const builder = this;
    const condition = h('select', {class: 'condition', 'aria-label': 'Combine the rules with'},
      h('option', {value: 'AND'}, 'all of (AND)'), h('option', {value: 'OR'}, 'any of (OR)'));
    const rulesEl = h('ol', {class: 'rules'});
    const group = {
      rules: [],
      element: null,
      value() {
        return {condition: condition.value, rules: group.rules.map((r) => r.value())};
      },
      addRule: (code, focusOperator) => addRule(code, focusOperator),
      load(filters) {
        if (filters.condition === 'OR' || filters.condition === 'AND') condition.value = filters.condition;
        for (const r of filters.rules) {
          if (Array.isArray(r.rules)) addGroup().load(r);
          else if (builder.variables[r.field || r.id]) {
            const rule = addRule(r.field || r.id);
            rule.load(r);
          }
        }
      },
    };
    const remove = (item) => {
      group.rules.splice(group.rules.indexOf(item), 1);
      item.element.remove();
    };
    const addRule = (code, focusOperator) => {
      const rule = builder.rule(() => remove(rule), typeof code === 'string' ? code : undefined);
      group.rules.push(rule);
      rulesEl.append(rule.element);
      if (focusOperator) rule.focusOperator();
      else if (typeof code !== 'string') rule.focus();
      return rule;
    };
    const addGroup = () => {
      const child = builder.group(false);
      const item = {value: () => child.value(), element: null};
      item.element = h('li', {class: 'nested'}, child.element,
        h('button', {type: 'button', class: 'link', onclick: () => remove(item)}, 'Remove this group'));
      group.rules.push(item);
      rulesEl.append(item.element);
      return child;
    };
    group.element = h('fieldset', {class: 'filter-group'},
      h('legend', {}, isRoot ? 'Keep the rows that match' : 'Group'),
      condition, rulesEl,
      h('div', {class: 'buttons'},
        h('button', {type: 'button', class: 'add-rule', onclick: () => addRule()}, 'Add rule'),
        h('button', {type: 'button', class: 'add-group', onclick: () => addGroup()}, 'Add group')));
    return group;
  }

  rule(onRemove, code) {
    const variables = this.variables;
    const id = uid('rule');
    const variable = h('select', {class: 'rule-variable', id: `${id}-var`},
      Object.values(variables).sort((a, b) => (a.label || a.code).localeCompare(b.label || b.code))
        .map((c) => h('option', {value: c.code, selected: c.code === code}, `${c.label || c.code} (${c.code})`)));
    if (code && variables[code]) variable.value = code;
    const operator = h('select', {class: 'rule-operator', id: `${id}-op`});
    const values = h('span', {class: 'rule-values'});
    let inputs = [];

    const cde = () => variables[variable.value];
    const renderOperators = () => {
      const allowed = cde().is_categorical ? NOMINAL_OPERATORS : Object.keys(OPERATORS);
      const before = operator.value;
      operator.replaceChildren(...allowed.map((op) => h('option', {value: op}, OPERATORS[op][0])));
      if (allowed.includes(before)) operator.value = before;
    };
    const valueInput = (label, multiple) => {
      const c = cde();
      const input = c.is_categorical
        ? h('select', {class: 'rule-value', multiple, size: multiple ? Math.min(5, Object.keys(c.enumerations || {}).length) : undefined},
          Object.entries(c.enumerations || {}).map(([code, text]) => h('option', {value: code}, `${text} (${code})`)))
        : h('input', {class: 'rule-value', type: 'number', step: 'any', min: c.min, max: c.max, placeholder: c.units || ''});
      input.id = uid('rv');
      return [h('label', {for: input.id, class: 'visually-hidden'}, label), input];
    };
    const renderValues = () => {
      const arity = OPERATORS[operator.value][1];
      const parts = arity === 0 ? [] : arity === 2 ? [valueInput('Low value'), h('span', {}, ' and '), valueInput('High value')]
        : arity < 0 && !cde().is_categorical ? [valueInput('Values, separated by commas')] : [valueInput('Value', arity < 0)];
      if (arity < 0 && !cde().is_categorical) {
        const input = parts[0][1];
        input.type = 'text';
        input.placeholder = 'e.g. 60, 65, 70';
      }
      values.replaceChildren(...parts.flat());
      inputs = [...values.querySelectorAll('.rule-value')];
    };
    variable.addEventListener('change', () => {
      renderOperators();
      renderValues();
    });
    operator.addEventListener('change', renderValues);
    renderOperators();
    renderValues();

    const element = h('li', {class: 'rule'},
      h('label', {for: variable.id, class: 'visually-hidden'}, 'Variable'), variable,
      h('label', {for: operator.id, class: 'visually-hidden'}, 'Comparison'), operator,
      values,
      h('button', {type: 'button', class: 'remove-rule', 'aria-label': 'Remove rule', onclick: onRemove}, 'Remove'));
    return {
      element,
      focus: () => variable.focus(),
      focusOperator: () => operator.focus(),
      /** Fills this rule from its JSON: operator and value(s). */
      load(r) {
        if (OPERATORS[r.operator] && [...operator.options].some((o) => o.value === r.operator)) {
          operator.value = r.operator;
          renderValues();
        }
        const values = Array.isArray(r.value) ? r.value : r.value === null || r.value === undefined ? [] : [r.value];
        if (!inputs.length) return;
        if (inputs[0].multiple) [...inputs[0].options].forEach((o) => { o.selected = values.map(String).includes(o.value); });
        else if (inputs.length === 2) values.slice(0, 2).forEach((v, i) => { inputs[i].value = String(v); });
        else if (OPERATORS[operator.value][1] < 0) inputs[0].value = values.join(', ');
        else inputs[0].value = String(values[0] ?? '');
      },
      value() {
        const c = cde();
        const op = operator.value;
        const arity = OPERATORS[op][1];
        const type = c.is_categorical || c.sql_type === 'text' ? 'string' : c.sql_type === 'int' ? 'integer' : 'double';
        const convert = (text) => {
          if (c.is_categorical || c.sql_type === 'text') return text;
          const number = Number(text);
          if (text === '' || !Number.isFinite(number)) throw new Error(`The filter on ${c.label || c.code} needs a number, not “${text}”.`);
          return number;
        };
        let value = null;
        if (arity === 1) value = convert(inputs[0].value.trim());
        else if (arity === 2) value = inputs.map((i) => convert(i.value.trim()));
        else if (arity < 0) {
          const raw = c.is_categorical ? [...inputs[0].selectedOptions].map((o) => o.value) : inputs[0].value.split(',').map((s) => s.trim()).filter(Boolean);
          if (!raw.length) throw new Error(`The filter “${OPERATORS[op][0]}” on ${c.label || c.code} needs at least one value.`);
          value = raw.map(convert);
        }
        return {id: c.code, field: c.code, type, input: c.is_categorical ? 'select' : 'number', operator: op, value};
      },
    };
  }
}
