// Results as tables and charts, chosen by the result's shape so new algorithms render without portal changes.
import {chartFigure} from './charts.js';
import {fmt, h} from './dom.js';
import {contingencyTable} from './views/contingency_table.js';
import {linearMixedModel} from './views/linear_mixed_model.js';

export function csvRow(cells) {
  return cells.map((c) => {
    const text = c === null || c === undefined ? '' : typeof c === 'object' ? JSON.stringify(c) : String(c);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }).join(',');
}

/** A table whose cells keep the exact value in data-value (the text is rounded for reading). */
function table(out, name, title, columns, rows) {
  out.tables.push({title, csv: [csvRow(columns), ...rows.map((r) => csvRow(r))].join('\n')});
  return h('div', {class: 'scroll'}, h('table', {class: 'data', id: `table-${name}`},
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => (i === 0
      ? h('th', {scope: 'row'}, fmt(v))
      : h('td', {dataset: {value: v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)}}, fmt(v)))))))));
}

const isNumberArray = (a) => Array.isArray(a) && a.length > 0 && a.every((v) => v === null || typeof v === 'number');
const scalars = (o) => Object.entries(o).filter(([, v]) => v === null || ['number', 'string', 'boolean'].includes(typeof v));

function summary(out, name, result, skip = []) {
  const rows = scalars(result).filter(([k]) => !skip.includes(k));
  return rows.length ? table(out, name, 'Summary', ['Statistic', 'Value'], rows) : null;
}

function contributors(out, result) {
  const nodes = result.contributing_nodes;
  if (!Array.isArray(nodes) || !nodes.length) return null;
  return table(out, 'contributing-nodes', 'Contributing nodes', ['Node', 'Datasets', 'Rows'],
    nodes.map((n) => [n.node, (n.datasets || []).join(' '), n.rows ?? 'masked (secure aggregation)']));
}

function regression(out, result) {
  const names = result.indep_vars;
  const pick = (...keys) => keys.map((k) => result[k]).find(isNumberArray);
  const se = pick('std_err', 'stderr', 'standard_errors');
  const stat = result.t_stats ? ['t', result.t_stats] : result.z_scores ? ['z', result.z_scores] : null;
  const columns = ['Variable', 'Coefficient', 'Std. error', ...(stat ? [stat[0]] : []), 'p', 'CI low', 'CI high'];
  const rows = names.map((n, i) => [n, result.coefficients[i], se?.[i], ...(stat ? [stat[1][i]] : []), result.pvalues?.[i], result.lower_ci?.[i], result.upper_ci?.[i]]);
  const parts = [table(out, 'coefficients', `Coefficients (dependent variable: ${result.dependent_var ?? '—'})`, columns, rows)];
  if (isNumberArray(result.lower_ci) && isNumberArray(result.upper_ci)) {
    const shown = names.map((n, i) => ({n, c: result.coefficients[i], lo: result.lower_ci[i], hi: result.upper_ci[i]}))
      .filter((r) => !/^(intercept|const|\(intercept\))$/i.test(r.n)).reverse();
    parts.push(chartFigure('forest', 'Forest plot', `Coefficients with their confidence intervals for ${shown.length} covariates`, {
      grid: {left: 200, right: 30, top: 40, bottom: 40},
      xAxis: {type: 'value', name: 'coefficient', nameLocation: 'middle', nameGap: 25, scale: true},
      yAxis: {type: 'category', data: shown.map((r) => r.n)},
      tooltip: {trigger: 'item'},
      series: [
        {type: 'custom', name: 'CI', data: shown.map((r, i) => [i, r.lo, r.hi]), encode: {x: [1, 2], y: 0},
          renderItem: (params, api) => {
            const lo = api.coord([api.value(1), api.value(0)]);
            const hi = api.coord([api.value(2), api.value(0)]);
            return {type: 'group', children: [
              {type: 'line', shape: {x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1]}, style: {stroke: '#1f4e79', lineWidth: 2}},
              {type: 'line', shape: {x1: lo[0], y1: lo[1] - 5, x2: lo[0], y2: lo[1] + 5}, style: {stroke: '#1f4e79', lineWidth: 2}},
              {type: 'line', shape: {x1: hi[0], y1: hi[1] - 5, x2: hi[0], y2: hi[1] + 5}, style: {stroke: '#1f4e79', lineWidth: 2}}]};
          }},
        {type: 'scatter', name: 'coefficient', data: shown.map((r, i) => [r.c, i]), symbolSize: 9, itemStyle: {color: '#c0392b'},
          markLine: {silent: true, symbol: 'none', data: [{xAxis: 0}], lineStyle: {type: 'dashed', color: '#666'}}},
      ],
    }, Math.max(220, 60 + shown.length * 28)));
  }
  parts.push(summary(out, 'model', result, ['dependent_var']));
  return parts;
}

function descriptive(out, result) {
  const records = result.variable_based || [];
  const numeric = records.filter((r) => r.data && r.data.counts === undefined);
  const nominal = records.filter((r) => r.data && r.data.counts !== undefined);
  const parts = [];
  if (numeric.length) {
    parts.push(table(out, 'descriptive', 'Numerical variables', ['Variable', 'Dataset', 'N', 'NA', 'Mean', 'Std', 'Min', 'Q1', 'Median', 'Q3', 'Max'],
      numeric.map((r) => [r.variable, r.dataset, r.data.num_dtps, r.data.num_na, r.data.mean, r.data.std, r.data.min, r.data.q1, r.data.q2, r.data.q3, r.data.max])));
    for (const variable of [...new Set(numeric.map((r) => r.variable))]) {
      const boxes = numeric.filter((r) => r.variable === variable && [r.data.min, r.data.q1, r.data.q2, r.data.q3, r.data.max].every((v) => typeof v === 'number'));
      if (!boxes.length) continue;
      parts.push(chartFigure(`box-${variable}`, `Box plot of ${variable}`, `Minimum, quartiles and maximum of ${variable} in ${boxes.length} datasets`, {
        grid: {left: 60, right: 20, top: 40, bottom: 60},
        xAxis: {type: 'category', data: boxes.map((r) => r.dataset), axisLabel: {rotate: 30}},
        yAxis: {type: 'value', scale: true},
        tooltip: {trigger: 'item'},
        series: [{type: 'boxplot', name: variable, data: boxes.map((r) => [r.data.min, r.data.q1, r.data.q2, r.data.q3, r.data.max])}],
      }));
    }
  }
  if (nominal.length) {
    const rows = [];
    for (const r of nominal) {
      for (const [level, count] of Object.entries(r.data.counts)) rows.push([r.variable, r.dataset, level, count]);
    }
    parts.push(table(out, 'levels', 'Nominal variables: counts per level', ['Variable', 'Dataset', 'Level', 'Count'], rows));
  }
  const empty = records.filter((r) => !r.data);
  if (empty.length) parts.push(h('p', {class: 'muted'}, `No figures for ${empty.length} variable/dataset pairs (too few rows on the node).`));
  return parts;
}

function histograms(out, result) {
  const list = result.histogram || [];
  return list.map((hist, i) => {
    const edges = hist.bins || [];
    const numeric = isNumberArray(edges) && edges.length === (hist.counts || []).length + 1;
    const labels = numeric ? hist.counts.map((_, k) => `${fmt(edges[k])}–${fmt(edges[k + 1])}`) : edges.map(String);
    const group = hist.grouping_var ? ` (${hist.grouping_var} = ${hist.grouping_enum})` : '';
    const title = `Histogram of ${hist.var}${group}`;
    return h('div', {class: 'histogram'},
      chartFigure(`histogram-${i}`, title, `${title}: counts in ${labels.length} bins`, {
        grid: {left: 60, right: 20, top: 40, bottom: 70},
        xAxis: {type: 'category', data: labels, axisLabel: {rotate: 40}},
        yAxis: {type: 'value', name: 'count'},
        tooltip: {trigger: 'axis'},
        series: [{type: 'bar', name: 'count', data: hist.counts.map((c) => (c === null ? '-' : c)), barCategoryGap: '2%'}],
      }, 300),
      table(out, `histogram-${i}`, title, ['Bin', 'Count'], labels.map((l, k) => [l, hist.counts[k]])));
  });
}

function heatmap(name, title, rowNames, columnNames, matrix, range) {
  const data = [];
  matrix.forEach((row, i) => row.forEach((v, j) => data.push([j, i, v === null ? '-' : Number(v.toFixed(4))])));
  return chartFigure(name, title, `${title}: ${rowNames.length} by ${columnNames.length} values`, {
    grid: {left: 180, right: 80, top: 40, bottom: 120},
    xAxis: {type: 'category', data: columnNames, axisLabel: {rotate: 40}},
    yAxis: {type: 'category', data: rowNames, inverse: true},
    visualMap: {min: range[0], max: range[1], calculable: true, orient: 'vertical', right: 0, top: 'middle',
      inRange: {color: ['#2166ac', '#f7f7f7', '#b2182b']}},
    tooltip: {position: 'top'},
    series: [{type: 'heatmap', data, label: {show: columnNames.length <= 8}}],
  }, Math.max(300, 160 + rowNames.length * 30));
}

function correlation(out, result) {
  const columns = result.correlations.variables;
  const rows = Object.keys(result.correlations).filter((k) => k !== 'variables');
  const matrix = rows.map((r) => result.correlations[r]);
  const parts = [heatmap('correlation', 'Correlation heatmap', rows, columns, matrix, [-1, 1]),
    table(out, 'correlations', 'Correlations', ['Variable', ...columns], rows.map((r, i) => [r, ...matrix[i]]))];
  for (const [key, title] of [['p_values', 'p-values'], ['ci_lo', 'CI low'], ['ci_hi', 'CI high']]) {
    if (result[key]) parts.push(table(out, key, title, ['Variable', ...columns], rows.map((r) => [r, ...result[key][r]])));
  }
  parts.push(summary(out, 'summary', result));
  return parts;
}

function pca(out, result, request) {
  const values = result.eigenvalues;
  const names = request.inputdata?.y?.length === result.eigenvectors[0]?.length ? request.inputdata.y : result.eigenvectors[0].map((_, i) => `variable ${i + 1}`);
  const components = values.map((_, i) => `PC${i + 1}`);
  const total = values.reduce((a, b) => a + b, 0);
  return [
    chartFigure('scree', 'Scree plot', `Eigenvalues of ${values.length} principal components`, {
      grid: {left: 60, right: 20, top: 40, bottom: 40},
      xAxis: {type: 'category', data: components}, yAxis: {type: 'value', name: 'eigenvalue'}, tooltip: {trigger: 'axis'},
      series: [{type: 'bar', data: values}, {type: 'line', data: values}],
    }, 300),
    table(out, 'eigenvalues', 'Eigenvalues', ['Component', 'Eigenvalue', 'Share of variance'], values.map((v, i) => [components[i], v, v / total])),
    heatmap('loadings', 'Loadings', components, names, result.eigenvectors, [-1, 1]),
    table(out, 'loadings', 'Loadings (eigenvectors)', ['Component', ...names], result.eigenvectors.map((v, i) => [components[i], ...v])),
    summary(out, 'summary', result),
  ];
}

function kmeans(out, result, request) {
  const centers = result.centers;
  const names = request.inputdata?.y?.length === centers[0]?.length ? request.inputdata.y : centers[0].map((_, i) => `variable ${i + 1}`);
  const parts = [table(out, 'centers', 'Cluster centres', ['Cluster', ...names], centers.map((c, i) => [i + 1, ...c]))];
  if (names.length >= 2) {
    parts.push(chartFigure('centers', 'Cluster centres', `The ${centers.length} centres over ${names[0]} and ${names[1]}`, {
      grid: {left: 70, right: 20, top: 40, bottom: 50},
      xAxis: {type: 'value', name: names[0], nameLocation: 'middle', nameGap: 28, scale: true},
      yAxis: {type: 'value', name: names[1], scale: true},
      tooltip: {trigger: 'item'},
      series: [{type: 'scatter', symbolSize: 14, data: centers.map((c) => [c[0], c[1]]), label: {show: true, formatter: (p) => `${p.dataIndex + 1}`}}],
    }, 320));
  }
  parts.push(summary(out, 'summary', result));
  return parts;
}

/** Objects (with a path for their name) anywhere in the result that satisfy test. */
function findAll(value, test, path = []) {
  if (value === null || typeof value !== 'object') return [];
  if (!Array.isArray(value) && test(value)) return [{object: value, path}];
  return Object.entries(value).flatMap(([k, v]) => findAll(v, test, [...path, k]));
}

const first = (o, keys) => keys.find((k) => isNumberArray(o[k]));
const TIME = ['time', 'times', 'timeline', 'timepoints', 'time_points', 'bin_end', 'bin_ends', 't'];
const SURVIVAL = ['survival', 'survival_probability', 'survival_probabilities', 'surv', 'km_estimate', 'estimate'];
const LOWER = ['lower', 'lower_ci', 'ci_lower', 'conf_low', 'conf_lower', 'ci_lo'];
const UPPER = ['upper', 'upper_ci', 'ci_upper', 'conf_high', 'conf_upper', 'ci_hi'];
const curveName = (found, i) => found.object.name ?? found.object.group ?? found.object.label ?? found.object.level ?? found.object.strata
  ?? (found.path.length ? found.path[found.path.length - 1] : `curve ${i + 1}`);

function roc(out, curves) {
  const series = curves.map((c, i) => ({type: 'line', name: `${curveName(c, i)}${typeof c.object.auc === 'number' ? ` (AUC ${c.object.auc.toFixed(3)})` : ''}`,
    showSymbol: false, data: c.object.fpr.map((x, k) => [x, c.object.tpr[k]])}));
  series.push({type: 'line', name: 'chance', data: [[0, 0], [1, 1]], showSymbol: false, lineStyle: {type: 'dashed', color: '#999'}});
  return [
    chartFigure('roc', 'ROC curves', `ROC curves of ${curves.length} folds with their AUC`, {
      grid: {left: 60, right: 20, top: 70, bottom: 50},
      legend: {top: 28}, tooltip: {trigger: 'item'},
      xAxis: {type: 'value', min: 0, max: 1, name: 'false positive rate', nameLocation: 'middle', nameGap: 28},
      yAxis: {type: 'value', min: 0, max: 1, name: 'true positive rate'},
      series,
    }, 380),
    table(out, 'auc', 'Area under the ROC curve', ['Curve', 'AUC'], curves.map((c, i) => [String(curveName(c, i)), c.object.auc])),
  ];
}

function kaplanMeier(out, curves) {
  const series = [];
  const rows = [];
  curves.forEach((c, i) => {
    const o = c.object;
    const t = o[first(o, TIME)];
    const s = o[first(o, SURVIVAL)];
    const lo = o[first(o, LOWER) ?? ''];
    const hi = o[first(o, UPPER) ?? ''];
    const name = String(curveName(c, i));
    series.push({type: 'line', step: 'end', name, showSymbol: false, data: t.map((x, k) => [x, s[k]])});
    if (lo && hi) {
      series.push({type: 'line', step: 'end', name: `${name} CI`, showSymbol: false, lineStyle: {type: 'dotted', width: 1}, data: t.map((x, k) => [x, lo[k]])});
      series.push({type: 'line', step: 'end', name: `${name} CI`, showSymbol: false, lineStyle: {type: 'dotted', width: 1}, data: t.map((x, k) => [x, hi[k]])});
    }
    t.forEach((x, k) => rows.push([name, x, s[k], lo?.[k], hi?.[k]]));
  });
  return [
    chartFigure('kaplan-meier', 'Kaplan–Meier curves', `Survival estimates over time for ${curves.length} groups`, {
      grid: {left: 60, right: 20, top: 70, bottom: 50},
      legend: {top: 28}, tooltip: {trigger: 'axis'},
      xAxis: {type: 'value', name: 'time', nameLocation: 'middle', nameGap: 28, scale: true},
      yAxis: {type: 'value', min: 0, max: 1, name: 'survival'},
      series,
    }, 380),
    table(out, 'survival', 'Survival estimates', ['Group', 'Time', 'Survival', 'CI low', 'CI high'], rows),
  ];
}

/** Anything else: its scalars, its lists of records, its numeric lists and nested objects, as tables. */
function generic(out, result, name = 'result', title = 'Result') {
  const parts = [];
  const simple = scalars(result);
  if (simple.length) parts.push(table(out, name, title, ['Name', 'Value'], simple));
  const lists = Object.entries(result).filter(([, v]) => isNumberArray(v));
  if (lists.length && lists.every(([, v]) => v.length === lists[0][1].length)) {
    parts.push(table(out, `${name}-lists`, `${title}: lists`, ['#', ...lists.map(([k]) => k)], lists[0][1].map((_, i) => [i + 1, ...lists.map(([, v]) => v[i])])));
  }
  for (const [key, value] of Object.entries(result)) {
    if (key === 'contributing_nodes' || value === null || typeof value !== 'object' || isNumberArray(value)) continue;
    if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      const columns = [...new Set(value.flatMap((v) => Object.keys(v)))];
      parts.push(table(out, `${name}-${key}`, key, columns, value.map((v) => columns.map((c) => v[c]))));
    } else if (!Array.isArray(value)) {
      parts.push(...generic(out, value, `${name}-${key}`, key));
    } else {
      parts.push(table(out, `${name}-${key}`, key, ['#', 'Value'], value.map((v, i) => [i + 1, v])));
    }
  }
  return parts;
}

/** @returns {element, tables: [{title, csv}]} */
export function renderResult(algorithm, result, request) {
  const out = {tables: []};
  let parts;
  const rocCurves = findAll(result, (o) => isNumberArray(o.fpr) && isNumberArray(o.tpr));
  const kmCurves = findAll(result, (o) => first(o, TIME) && first(o, SURVIVAL));
  if (rocCurves.length) parts = [...roc(out, rocCurves), ...generic(out, Object.fromEntries(Object.entries(result).filter(([k]) => !/roc/i.test(k))))];
  else if (kmCurves.length) parts = [...kaplanMeier(out, kmCurves), ...generic(out, Object.fromEntries(Object.entries(result).filter(([k]) => !kmCurves.some((c) => c.path[0] === k))))];
  else if (Array.isArray(result.counts) && result.chi_squared) parts = contingencyTable(out, result);
  else if (result.random_effects && Array.isArray(result.indep_vars)) parts = [...regression(out, {...result, t_stats: result.t_values, random_effects: undefined}), ...linearMixedModel(out, result)];
  else if (Array.isArray(result.indep_vars) && isNumberArray(result.coefficients)) parts = regression(out, result);
  else if (Array.isArray(result.variable_based)) parts = descriptive(out, result);
  else if (Array.isArray(result.histogram)) parts = histograms(out, result);
  else if (result.correlations?.variables) parts = correlation(out, result);
  else if (isNumberArray(result.eigenvalues) && Array.isArray(result.eigenvectors)) parts = pca(out, result, request);
  else if (Array.isArray(result.centers) && Array.isArray(result.centers[0])) parts = kmeans(out, result, request);
  else parts = generic(out, result);
  parts.push(contributors(out, result));
  return {element: h('div', {class: 'result', id: 'result', dataset: {algorithm}}, parts.filter(Boolean)), tables: out.tables};
}
