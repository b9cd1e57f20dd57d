// A small element builder: h('button', {type: 'button', onclick: f}, 'Run').
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

// A labelled field: the label is tied to the control, the hint and the error to aria-describedby.
export function field(labelText, control, hint) {
  control.id ||= uid('f');
  const hintEl = hint ? h('span', {class: 'hint', id: `${control.id}-hint`}, hint) : null;
  const errorEl = h('span', {class: 'field-error', id: `${control.id}-error`, role: 'alert'});
  control.setAttribute('aria-describedby', [hintEl?.id, errorEl.id].filter(Boolean).join(' '));
  return h('div', {class: 'field'}, h('label', {for: control.id}, labelText), control, hintEl, errorEl);
}

export function setFieldError(control, message) {
  const errorEl = document.getElementById(`${control.id}-error`);
  if (errorEl) errorEl.textContent = message || '';
  control.setAttribute('aria-invalid', message ? 'true' : 'false');
}

export function announce(text) {
  document.getElementById('announcer').textContent = text;
}

export function errorBox(error) {
  return h('div', {class: 'error', role: 'alert'},
    h('strong', {}, error.title || 'Error'), ' ', h('span', {class: 'error-detail'}, error.message));
}

export function fmt(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    return abs !== 0 && (abs < 1e-4 || abs >= 1e6) ? value.toExponential(4) : value.toFixed(abs < 1 ? 5 : 4);
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = h('a', {href: url, download: filename, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
