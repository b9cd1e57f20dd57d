// Picking variables from the data model's tree on Analyse: search as you type, add a variable as dependent, covariate
// or filter by mouse or keyboard, and see the chosen ones as removable chips with their label, type and unit.
import {groupTree, matches, typeLabel} from './catalogue.js';
import {h} from './dom.js';

const ROLES = [
  {key: 'y', button: 'Dependent', title: 'Dependent variables (y)', empty: 'No dependent variable yet.'},
  {key: 'x', button: 'Covariate', title: 'Covariates (x)', empty: 'No covariate yet (optional for some algorithms).'},
];

/**
 * @param variables the data model's CDEs by code
 * @param chosen {y: [codes], x: [codes]} to start from (unknown codes are dropped)
 * @param onChange called with {y, x} after every change
 * @param onFilter called with a code when the user adds a variable as a filter
 */
export class VariablePicker {
  constructor(variables, chosen, onChange, onFilter) {
    this.variables = variables;
    this.chosen = {
      y: (chosen?.y || []).filter((c) => variables[c]),
      x: (chosen?.x || []).filter((c) => variables[c]),
    };
    this.onChange = onChange;
    this.onFilter = onFilter;
    this.search = h('input', {id: 'variable-search', type: 'search', autocomplete: 'off', placeholder: 'e.g. hippocampus, age or diagnosis',
      'aria-controls': 'variable-tree', 'aria-describedby': 'variable-search-hint variable-count'});
    this.count = h('p', {class: 'muted', id: 'variable-count', 'aria-live': 'polite'});
    this.tree = h('div', {class: 'tree picker-tree', id: 'variable-tree', onkeydown: (e) => this.treeKeys(e)});
    this.chips = h('div', {class: 'chosen', id: 'chosen-variables'});
    this.search.addEventListener('input', () => this.renderTree());
    this.search.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        [...this.tree.querySelectorAll('li.variable')].find((li) => li.offsetParent !== null)
          ?.querySelector('.add-buttons button:not(:disabled)')?.focus();
      } else if (e.key === 'Enter') {
        // Enter in the search adds the first match as dependent, or as covariate once a dependent is chosen
        e.preventDefault();
        const first = this.tree.querySelector('li.variable');
        if (first) this.add(this.chosen.y.length ? 'x' : 'y', first.dataset.code);
      }
    });
    this.element = h('div', {class: 'picker'},
      h('div', {class: 'picker-search'},
        h('label', {for: this.search.id}, 'Find a variable by its label or code'), this.search,
        h('span', {class: 'hint', id: 'variable-search-hint'},
          'Type to search; ↓ moves into the list, ↑/↓ between variables, Enter adds the first match. Each variable has buttons to add it.'),
        this.count, this.tree),
      this.chips);
    this.renderTree();
    this.renderChips();
  }

  value() {
    return {y: [...this.chosen.y], x: [...this.chosen.x]};
  }

  add(role, code) {
    const other = role === 'y' ? 'x' : 'y';
    this.chosen[other] = this.chosen[other].filter((c) => c !== code); // a variable plays one role
    if (!this.chosen[role].includes(code)) this.chosen[role].push(code);
    this.changed(`${this.variables[code]?.label || code} added as ${role === 'y' ? 'dependent variable' : 'covariate'}.`);
  }

  remove(role, code) {
    this.chosen[role] = this.chosen[role].filter((c) => c !== code);
    this.changed(`${this.variables[code]?.label || code} removed.`);
  }

  changed(message) {
    // the tree is drawn again: keep the keyboard on the variable it was on
    const at = document.activeElement?.closest?.('#variable-tree li.variable')?.dataset.code;
    this.renderChips();
    this.renderTree();
    if (at) {
      [...this.tree.querySelectorAll('li.variable')].find((li) => li.dataset.code === at)
        ?.querySelector('.add-buttons button:not(:disabled)')?.focus();
    }
    this.count.textContent = `${message} ${this.count.dataset.base || ''}`;
    this.onChange(this.value());
  }

  /** Arrow keys move between the variables' first buttons; Home and End go to the first and last. */
  treeKeys(event) {
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(event.key)) return;
    // each visible variable's first button that can be pressed (the role it already has is disabled)
    const rows = [...this.tree.querySelectorAll('li.variable')].filter((li) => li.offsetParent !== null);
    const buttons = rows.map((li) => li.querySelector('.add-buttons button:not(:disabled)'));
    if (!buttons.length) return;
    const row = event.target.closest('li.variable');
    const at = row ? rows.indexOf(row) : -1;
    let next = at;
    if (event.key === 'ArrowDown') next = Math.min(buttons.length - 1, at + 1);
    if (event.key === 'ArrowUp') next = at - 1;
    if (event.key === 'Home') next = 0;
    if (event.key === 'End') next = buttons.length - 1;
    event.preventDefault();
    if (next < 0) this.search.focus();
    else buttons[next].focus();
  }

  renderTree() {
    const query = this.search.value.trim();
    const all = Object.values(this.variables);
    const found = all.filter((c) => matches(c, query)).length;
    this.count.dataset.base = query ? `${found} of ${all.length} variables match “${query}”.` : `${all.length} variables.`;
    this.count.textContent = this.count.dataset.base;
    const group = this.renderGroup(groupTree(this.variables), query, 0);
    this.tree.replaceChildren(group || h('p', {class: 'muted'}, 'No variable matches; search by label or code.'));
  }

  renderGroup(group, query, depth) {
    const variables = group.variables.filter((c) => matches(c, query)).map((c) => this.renderVariable(c));
    const children = [...group.groups.values()].map((g) => this.renderGroup(g, query, depth + 1)).filter(Boolean);
    if (!variables.length && !children.length) return null;
    const list = h('ul', {}, children.map((c) => h('li', {class: 'group'}, c)), variables);
    if (depth === 0) return list;
    return h('details', {open: Boolean(query), dataset: {group: group.name}}, h('summary', {}, group.name), list);
  }

  renderVariable(cde) {
    const role = this.chosen.y.includes(cde.code) ? 'y' : this.chosen.x.includes(cde.code) ? 'x' : null;
    const name = cde.label || cde.code;
    return h('li', {class: `variable${role ? ' picked' : ''}`, dataset: {code: cde.code}},
      h('span', {class: 'var-label'}, name), ' ', h('code', {}, cde.code), ' ',
      h('span', {class: 'badge'}, typeLabel(cde)), cde.units ? h('span', {class: 'badge unit'}, cde.units) : null,
      role ? h('span', {class: 'muted small'}, role === 'y' ? ' dependent' : ' covariate') : null,
      h('span', {class: 'add-buttons'},
        ROLES.map((r, i) => h('button', {type: 'button', class: `add${i ? ' secondary' : ''} add-${r.key}`, dataset: {role: r.key},
          disabled: role === r.key, 'aria-label': `Add ${name} as ${r.button.toLowerCase()}`, onclick: () => this.add(r.key, cde.code)}, `+ ${r.button}`)),
        h('button', {type: 'button', class: 'add-filter secondary', 'aria-label': `Filter the rows by ${name}`,
          onclick: () => this.onFilter(cde.code)}, '+ Filter')));
  }

  renderChips() {
    this.chips.replaceChildren(...ROLES.map((r) => h('section', {class: 'chip-group', id: `chosen-${r.key}`, 'aria-label': r.title},
      h('h3', {}, r.title),
      this.chosen[r.key].length
        ? h('ul', {class: 'chips'}, this.chosen[r.key].map((code) => {
          const cde = this.variables[code];
          const name = cde.label || code;
          return h('li', {class: 'chip variable-chip', dataset: {code}},
            h('span', {class: 'var-label'}, name), ' ', h('span', {class: 'muted small'}, [typeLabel(cde), cde.units].filter(Boolean).join(', ')),
            h('button', {type: 'button', class: 'link remove-chip', 'aria-label': `Remove ${name} from ${r.title.toLowerCase()}`,
              onclick: () => {
                this.remove(r.key, code);
                this.search.focus();
              }}, '×'));
        }))
        : h('p', {class: 'muted'}, r.empty))));
  }
}
