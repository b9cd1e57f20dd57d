// linear_mixed_model's result beside the coefficient table and forest plot that every regression gets: the variance
// components (with the slope's variance and its correlation with the intercept), the t tests' degrees of freedom, the
// fit's criteria, and each group's estimated random intercept and slope (a table and a bar chart).
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
  const slope = r.random_slope;
  const slopes = Array.isArray(effects.slopes) ? effects.slopes : null;
  const groupName = r.group_var === 'node' ? 'node' : 'dataset';
  const df = Array.isArray(r.df) ? r.df : (r.indep_vars || []).map(() => r.df);
  const components = [[`${r.group_var} (intercept)`, r.group_variance, Math.sqrt(r.group_variance), null]];
  if (slope) {
    components.push([`${r.group_var} (slope of ${slope})`, r.slope_variance, Math.sqrt(r.slope_variance),
      r.intercept_slope_correlation]);
  }
  components.push(['Residual', r.residual_variance, Math.sqrt(r.residual_variance), null]);
  const dfMethod = r.df_method === 'satterthwaite' ? "Satterthwaite's (lmerTest)" : 'residual (n − p)';
  const series = [{type: 'bar', name: 'intercept', data: effects.intercepts}];
  if (slopes) series.push({type: 'bar', name: `slope of ${slope}`, yAxisIndex: 1, data: slopes});
  return [
    dataTable(out, 'table-variance-components', `Variance components (${r.method}; random ${slope ? `intercept and slope of ${slope}` : 'intercept'} per ${groupName})`,
      ['Component', 'Variance', 'Std. deviation', 'Correlation with the intercept'], components),
    dataTable(out, 'table-degrees-of-freedom', `The t tests' degrees of freedom: ${dfMethod}`,
      ['Variable', 'df'], (r.indep_vars || []).map((v, i) => [v, df[i]])),
    dataTable(out, 'table-random-effects', `Random effects of the ${effects.groups.length} ${groupName}s`,
      slopes ? [groupName === 'node' ? 'Node' : 'Dataset', 'Intercept', `Slope of ${slope}`] : [groupName === 'node' ? 'Node' : 'Dataset', 'Intercept'],
      effects.groups.map((g, i) => (slopes ? [g, effects.intercepts[i], slopes[i]] : [g, effects.intercepts[i]]))),
    chartFigure('random-effects', slopes ? 'Random intercepts and slopes' : 'Random intercepts',
      `The estimated ${slopes ? 'intercept and slope' : 'intercept'} of each of ${effects.groups.length} ${groupName}s`, {
        grid: {left: 60, right: slopes ? 60 : 20, top: 40, bottom: 80},
        legend: slopes ? {top: 0} : undefined,
        xAxis: {type: 'category', data: effects.groups, axisLabel: {rotate: 45}},
        yAxis: slopes ? [{type: 'value', name: 'intercept'}, {type: 'value', name: 'slope'}] : {type: 'value', name: 'intercept'},
        tooltip: {trigger: 'axis'},
        series,
      }, 300),
  ];
}
