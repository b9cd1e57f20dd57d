// linear_mixed_model's result beside the coefficient table and forest plot that every regression gets: the variance
// components, the fit's criteria, and each dataset's estimated random intercept (a table and a bar chart).
import {chartFigure} from '../charts.js';
import {fmt, h} from '../dom.js';
import {csvRow} from '../resultkit.js';

function dataTable(out, id, title, columns, rows) {
  out.tables.push({title, csv: [csvRow(columns), ...rows.map((r) => csvRow(r))].join('\n')});
  return h('div', {class: 'scroll'}, h('table', {class: 'data', id},
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('th', {scope: 'row'}, r[0]),
      r.slice(1).map((v) => h('td', {dataset: {value: v === null || v === undefined ? '' : String(v)}}, fmt(v))))))));
}

/** The parts particular to a mixed model; out collects the tables offered as CSV. */
export function linearMixedModel(out, r) {
  const effects = r.random_effects || {groups: [], intercepts: []};
  return [
    dataTable(out, 'table-variance-components', `Variance components (${r.method}; t tests on ${r.df_method} df = ${r.df})`,
      ['Component', 'Variance', 'Std. deviation'], [
        [`${r.group_var} (intercept)`, r.group_variance, Math.sqrt(r.group_variance)],
        ['Residual', r.residual_variance, Math.sqrt(r.residual_variance)],
      ]),
    dataTable(out, 'table-random-effects', `Random intercepts of the ${effects.groups.length} datasets`,
      ['Dataset', 'Intercept'], effects.groups.map((g, i) => [g, effects.intercepts[i]])),
    chartFigure('random-effects', 'Random intercepts', `The estimated intercept of each of ${effects.groups.length} datasets`, {
      grid: {left: 60, right: 20, top: 40, bottom: 80},
      xAxis: {type: 'category', data: effects.groups, axisLabel: {rotate: 45}},
      yAxis: {type: 'value', name: 'intercept'},
      tooltip: {trigger: 'axis'},
      series: [{type: 'bar', name: 'intercept', data: effects.intercepts}],
    }, 300),
  ];
}
