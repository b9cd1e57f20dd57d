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

/** A number for reading: whole numbers as they are, others with four significant digits (the exact value stays in data-value). */
export function fmt(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'not a number';
    if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
    if (Number.isInteger(value)) return String(value);
    const abs = Math.abs(value);
    if (abs < 1e-4 || abs >= 1e7) return value.toExponential(3);
    return String(Number(value.toPrecision(4)));
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A p-value as journals print it: "< 0.001" below that, three significant digits otherwise. */
export function fmtP(p) {
  if (p === null || p === undefined || typeof p !== 'number' || Number.isNaN(p)) return '—';
  if (p < 0.001) return '< 0.001';
  return String(Number(p.toPrecision(3)));
}

/** Sets the browser tab's title: "<page> · MIP Federation". */
export function setTitle(page) {
  document.title = page ? `${page} · MIP Federation` : 'MIP Federation';
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
