// quantiles' result: per variable its pooled quantiles in a table and, when the probabilities hold the minimum, the
// quartiles and the maximum, the pooled box plot drawn from them.
import {chartFigure} from '../charts.js';
import {fmt, h} from '../dom.js';
import {csvRow} from '../resultkit.js';

const BOX = [0, 0.25, 0.5, 0.75, 1];

function quantileTable(out, r, names) {
  const columns = ['Variable', 'N', ...r.probabilities.map((p) => `${fmt(100 * p)} %`)];
  const rows = r.variables.map((v) => [names.variable(v.variable), v.n, ...v.quantiles.map((q) => q.value)]);
  out.tables.push({title: 'Quantiles', csv: [csvRow(['variable', 'n', ...r.probabilities]), ...r.variables.map((v) => csvRow([v.variable, v.n, ...v.quantiles.map((q) => q.value)]))].join('\n')});
  return h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'table-quantiles'},
    h('caption', {}, `Quantiles over all selected datasets (R's type ${r.type})`),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows.map((row, i) => h('tr', {dataset: {variable: r.variables[i].variable}},
      h('th', {scope: 'row'}, row[0]),
      row.slice(1).map((v) => h('td', {dataset: {value: v === null || v === undefined ? '' : String(v)}}, fmt(v))))))));
}

/** The five numbers of a box, or null when the probabilities do not hold them all. */
function box(r, v) {
  const at = (p) => v.quantiles.find((q) => Math.abs(q.probability - p) < 1e-12)?.value;
  const five = BOX.map(at);
  return five.every((x) => typeof x === 'number') ? five : null;
}

/** The parts of a quantiles result; out collects the tables offered as CSV. */
export function quantiles(out, r, names) {
  const parts = [quantileTable(out, r, names)];
  for (const v of r.variables) {
    const five = box(r, v);
    if (!five) continue;
    const label = names.variable(v.variable);
    parts.push(chartFigure(`quantiles-box-${v.variable}`, `Pooled box plot of ${label}`,
      `Minimum, quartiles and maximum of ${label} over all ${v.n} rows of the selected datasets`, {
        grid: {left: 70, right: 20, top: 40, bottom: 40},
        xAxis: {type: 'category', data: [label]},
        yAxis: {type: 'value', scale: true, name: label},
        tooltip: {trigger: 'item'},
        series: [{type: 'boxplot', name: label, data: [five]}],
      }));
  }
  parts.push(h('p', {class: 'muted', id: 'quantiles-rounds'},
    `Found by bisection on counts: ${r.variables.map((v) => `${names.variable(v.variable)} in ${v.rounds} rounds`).join(', ')}.`));
  return parts;
}
