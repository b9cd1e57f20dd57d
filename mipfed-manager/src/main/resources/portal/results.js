// Results as views: one per algorithm where the result deserves one (views/registry.js; a new algorithm's view is a
// file views/<algorithm>.js imported below with one line), else chosen by the result's shape so that a new algorithm
// renders without portal changes. Names come from the data model; statistics are named in words.
import {chartFigure} from './charts.js';
import {fmt, h} from './dom.js';
import {Cell, csvRow, foldName, isNumberArray, naming, pCell, scalars, statCell, statName, summary, table} from './resultkit.js';
import {registerView, views} from './views/registry.js';
// Views of other algorithms, one line each:
import {contingencyTable} from './views/contingency_table.js';
import {linearMixedModel} from './views/linear_mixed_model.js';
import './views/cox_regression.js';
import {quantiles} from './views/quantiles.js';

export {csvRow};

function contributors(out, result) {
  const nodes = result.contributing_nodes;
  const parts = [];
  if (Array.isArray(nodes) && nodes.length) {
    parts.push(table(out, 'contributing-nodes', 'Contributing hospitals', ['Hospital', 'Datasets', 'Rows'],
      nodes.map((n) => [n.node, (n.datasets || []).join(' '), n.rows ?? 'masked (secure aggregation)'])));
  }
  return parts;
}

/** A forest plot: estimates with their intervals; on the odds scale (log axis, line at 1) for odds ratios. */
function forest(name, title, rows, odds) {
  const shown = [...rows].reverse();
  return chartFigure(name, title, `${odds ? 'Odds ratios' : 'Coefficients'} with their 95% confidence intervals for ${shown.length} terms`, {
    grid: {left: 10, right: 30, top: 40, bottom: 45, containLabel: true},
    xAxis: odds ? {type: 'log', name: 'odds ratio (log scale)', nameLocation: 'middle', nameGap: 28}
      : {type: 'value', name: 'coefficient', nameLocation: 'middle', nameGap: 28, scale: true},
    yAxis: {type: 'category', data: shown.map((r) => r.label)},
    tooltip: {trigger: 'item'},
    series: [
      {type: 'custom', name: '95% CI', data: shown.map((r, i) => [i, r.lo, r.hi]), encode: {x: [1, 2], y: 0},
        renderItem: (params, api) => {
          const lo = api.coord([api.value(1), api.value(0)]);
          const hi = api.coord([api.value(2), api.value(0)]);
          return {type: 'group', children: [
            {type: 'line', shape: {x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1]}, style: {stroke: '#1f4e79', lineWidth: 2}},
            {type: 'line', shape: {x1: lo[0], y1: lo[1] - 5, x2: lo[0], y2: lo[1] + 5}, style: {stroke: '#1f4e79', lineWidth: 2}},
            {type: 'line', shape: {x1: hi[0], y1: hi[1] - 5, x2: hi[0], y2: hi[1] + 5}, style: {stroke: '#1f4e79', lineWidth: 2}}]};
        }},
      {type: 'scatter', name: odds ? 'odds ratio' : 'coefficient', data: shown.map((r, i) => [r.c, i]), symbolSize: 9, itemStyle: {color: '#c0392b'},
        markLine: {silent: true, symbol: 'none', label: {show: false}, data: [{xAxis: odds ? 1 : 0}], lineStyle: {type: 'dashed', color: '#666'}}},
    ],
  }, Math.max(220, 70 + shown.length * 28));
}

const isIntercept = (term) => /^(intercept|const|\(intercept\))$/i.test(term);

function referenceNote(names, terms) {
  const refs = names.references(terms);
  return refs.length ? h('p', {class: 'reference-levels', id: 'reference-levels'},
    h('strong', {}, 'Reference levels: '), refs.join('; '), '. Each other level is compared with its variable’s reference level.') : null;
}

/** Linear regression (and any result with indep_vars and coefficients at its top). */
function regression(result, {out, names}) {
  const terms = result.indep_vars;
  const pick = (...keys) => keys.map((k) => result[k]).find(isNumberArray);
  const se = pick('std_err', 'stderr', 'standard_errors');
  const stat = result.t_stats ? ['t', result.t_stats] : result.z_scores ? ['z', result.z_scores] : null;
  const columns = ['Variable', 'Coefficient', 'Std. error', ...(stat ? [stat[0]] : []), 'p', 'CI low', 'CI high'];
  const rows = terms.map((n, i) => [new Cell(n, names.term(n), {dataset: {term: n}}), result.coefficients[i], se?.[i],
    ...(stat ? [stat[1][i]] : []), pCell(result.pvalues?.[i]), result.lower_ci?.[i], result.upper_ci?.[i]]);
  const parts = [table(out, 'coefficients', `Coefficients (dependent variable: ${names.variable(result.dependent_var ?? '—')})`, columns, rows),
    referenceNote(names, terms)];
  if (isNumberArray(result.lower_ci) && isNumberArray(result.upper_ci)) {
    parts.push(forest('forest', 'Forest plot', terms.map((n, i) => ({n, label: names.term(n), c: result.coefficients[i], lo: result.lower_ci[i], hi: result.upper_ci[i]}))
      .filter((r) => !isIntercept(r.n)), false));
  }
  parts.push(summary(out, 'model', result, ['dependent_var']));
  return parts;
}

/** Logistic regression: coefficients on the log-odds scale, their odds ratios, and a forest plot of the odds ratios. */
function logisticRegression(result, {out, names, request}) {
  const s = result.summary;
  const terms = result.indep_vars;
  const positive = request.parameters?.positive_class;
  const y = result.dependent_var;
  const rows = terms.map((n, i) => [new Cell(n, names.term(n), {dataset: {term: n}}), s.coefficients[i], s.stderr[i], s.z_scores[i], pCell(s.pvalues[i]),
    s.lower_ci[i], s.upper_ci[i], Math.exp(s.coefficients[i]), Math.exp(s.lower_ci[i]), Math.exp(s.upper_ci[i])]);
  const parts = [
    h('p', {class: 'model-note', id: 'modelled'}, 'Modelled: the log-odds that ', h('strong', {}, names.variable(y, false)), ' is ',
      h('strong', {}, positive === undefined ? 'the positive class' : names.level(y, positive)),
      '. An odds ratio above 1 means higher odds with the covariate (per unit, or against the reference level).'),
    table(out, 'coefficients', `Coefficients and odds ratios (dependent variable: ${names.variable(y, false)})`,
      ['Variable', 'Coefficient (log-odds)', 'Std. error', 'z', 'p', 'CI low', 'CI high', 'Odds ratio', 'OR CI low', 'OR CI high'], rows),
    referenceNote(names, terms),
    forest('forest', 'Forest plot of the odds ratios', terms.map((n, i) => ({n, label: names.term(n), c: Math.exp(s.coefficients[i]),
      lo: Math.exp(s.lower_ci[i]), hi: Math.exp(s.upper_ci[i])})).filter((r) => !isIntercept(r.n)), true),
    summary(out, 'model', s, ['coefficients', 'stderr', 'lower_ci', 'upper_ci', 'z_scores', 'pvalues'], 'Model'),
  ];
  return parts;
}

/** "0.812 ± 0.034" */
const meanSd = (mean, sd) => new Cell(mean, `${fmt(mean)} ± ${fmt(sd)}`);

function linearRegressionCv(result, {out, names}) {
  const f = result.folds;
  const metrics = [['mean_sq_error', 'Mean squared error'], ['r_squared', 'R²'], ['mean_abs_error', 'Mean absolute error']];
  return [
    h('p', {class: 'model-note'}, `${names.variable(result.dependent_var)} from ${result.indep_vars.map((t) => names.term(t)).join(', ')}, over ${f.mean_sq_error.length} folds.`),
    table(out, 'cv-summary', 'Summary over the folds (mean ± standard deviation)', ['Measure', 'Mean ± sd', 'Standard deviation'],
      metrics.map(([k, label]) => [label, meanSd(result[k][0], result[k][1]), result[k][1]])),
    table(out, 'cv-folds', 'Per fold', ['Fold', 'Training rows', 'Test rows', 'Mean squared error', 'R²', 'Mean absolute error'],
      f.mean_sq_error.map((_, i) => [foldName(i), f.n_obs_train[i], f.n_obs_test[i], f.mean_sq_error[i], f.r_squared[i], f.mean_abs_error[i]])),
    chartFigure('cv-folds', 'R² per fold', `R² of each of the ${f.r_squared.length} folds`, {
      grid: {left: 60, right: 20, top: 40, bottom: 40}, tooltip: {trigger: 'axis'},
      xAxis: {type: 'category', data: f.r_squared.map((_, i) => foldName(i))}, yAxis: {type: 'value', name: 'R²'},
      series: [{type: 'bar', name: 'R²', data: f.r_squared}],
    }, 260),
  ];
}

/** A confusion matrix: rows the actual class, columns the predicted one, with the counts. */
function confusion(out, labels, data, title = 'Confusion matrix (summed over the folds)') {
  return table(out, 'confusion', title, ['Actual \\ predicted', ...labels.map((l) => `Predicted ${l}`)],
    labels.map((l, i) => [`Actual ${l}`, ...data[i]]));
}

function roc(out, curves) {
  const named = curves.map((c, i) => ({...c, label: foldName(i)}));
  const series = named.map((c) => ({type: 'line', name: `${c.label} (AUC ${fmt(c.auc)})`, showSymbol: false, data: c.fpr.map((x, k) => [x, c.tpr[k]])}));
  series.push({type: 'line', name: 'chance', data: [[0, 0], [1, 1]], showSymbol: false, lineStyle: {type: 'dashed', color: '#999'}});
  return [
    chartFigure('roc', 'ROC curves', `ROC curves of ${curves.length} folds with their AUC`, {
      grid: {left: 60, right: 20, top: 80, bottom: 50},
      legend: {top: 28}, tooltip: {trigger: 'item'},
      xAxis: {type: 'value', min: 0, max: 1, name: 'false positive rate (1 − specificity)', nameLocation: 'middle', nameGap: 28},
      yAxis: {type: 'value', min: 0, max: 1, name: 'true positive rate (sensitivity)'},
      series,
    }, 400),
    table(out, 'auc', 'Area under the ROC curve', ['Fold', 'AUC'], named.map((c) => [c.label, c.auc])),
  ];
}

function logisticRegressionCv(result, {out, names, request}) {
  const s = result.summary;
  const k = s.row_names.length - 2; // the folds, then average and stdev
  const metrics = [['accuracy', 'Accuracy'], ['precision', 'Precision'], ['recall', 'Recall (sensitivity)'], ['fscore', 'F1 score']];
  const cm = result.confusion_matrix;
  const positive = request.parameters?.positive_class;
  const y = result.dependent_var;
  const pos = positive === undefined ? 'positive' : names.level(y, positive);
  return [
    h('p', {class: 'model-note'}, `Predicting whether ${names.variable(y, false)} is ${pos}, from ${result.indep_vars.map((t) => names.term(t)).join(', ')}, over ${k} folds.`),
    table(out, 'cv-summary', 'Summary over the folds (mean ± standard deviation)', ['Measure', 'Mean ± sd', 'Standard deviation'],
      metrics.map(([key, label]) => [label, meanSd(s[key][k], s[key][k + 1]), s[key][k + 1]])),
    table(out, 'cv-folds', 'Per fold', ['Fold', 'Training rows', ...metrics.map(([, l]) => l)],
      s.row_names.slice(0, k).map((_, i) => [foldName(i), s.n_obs[i], ...metrics.map(([key]) => s[key][i])])),
    confusion(out, [pos, `not ${pos}`], [[cm.tp, cm.fn], [cm.fp, cm.tn]]),
    ...roc(out, result.roc_curves || []),
  ];
}

function naiveBayesCv(result, {out}) {
  const cm = result.confusion_matrix;
  const cs = result.classification_summary;
  const parts = [confusion(out, cm.labels, cm.data)];
  const metrics = [['accuracy', 'Accuracy'], ['precision', 'Precision'], ['recall', 'Recall (sensitivity)'], ['fscore', 'F1 score']];
  const classes = Object.keys(cs.precision || {});
  const rows = [];
  for (const [key, label] of metrics) {
    for (const [cls, figures] of Object.entries(cs[key] || {})) {
      rows.push([`${label}${classes.length > 1 && key !== 'accuracy' ? `, ${cls}` : ''}`, meanSd(figures.average, figures.stdev), figures.stdev]);
    }
  }
  parts.push(table(out, 'cv-summary', 'Summary over the folds (mean ± standard deviation)', ['Measure', 'Mean ± sd', 'Standard deviation'], rows));
  const foldKeys = Object.keys(Object.values(cs.accuracy || {})[0] || {}).filter((f) => /^fold/.test(f));
  parts.push(table(out, 'cv-folds', 'Accuracy per fold', ['Fold', ...Object.keys(cs.accuracy || {})],
    foldKeys.map((f, i) => [foldName(i), ...Object.values(cs.accuracy).map((v) => v[f])])));
  return parts;
}

/** Kaplan–Meier: curves from 1, named by group, medians with their intervals, numbers at risk and the log-rank test. */
function kaplanMeier(result, {out, names}) {
  const timeName = names.variable(result.time_var);
  const groupOf = (c) => (c.group === null || c.group === undefined || c.group === '' ? 'All rows'
    : result.group_var ? names.level(result.group_var, c.group) : String(c.group));
  const start = Math.min(...result.curves.map((c) => (c.time.length ? c.time[0] : 0))) - result.bin_width;
  const series = [];
  result.curves.forEach((c) => {
    const name = groupOf(c);
    series.push({type: 'line', step: 'end', name, showSymbol: false, data: [[start, 1], ...c.time.map((t, k) => [t, c.survival[k]])]});
    series.push({type: 'line', step: 'end', name, showSymbol: false, lineStyle: {type: 'dotted', width: 1}, tooltip: {show: false},
      data: [[start, 1], ...c.time.map((t, k) => [t, c.lower_ci[k]])]});
    series.push({type: 'line', step: 'end', name, showSymbol: false, lineStyle: {type: 'dotted', width: 1}, tooltip: {show: false},
      data: [[start, 1], ...c.time.map((t, k) => [t, c.upper_ci[k]])]});
  });
  // numbers at risk at up to 8 times spread over the range, as under a published curve
  const allTimes = [...new Set(result.curves.flatMap((c) => c.time))].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(allTimes.length / 8));
  const ticks = allTimes.filter((_, i) => i % step === 0);
  const atRisk = (c, t) => {
    const k = c.time.findIndex((x) => x >= t);
    return k < 0 ? 0 : c.n_risk[k];
  };
  const events = result.event_level !== undefined ? names.level(result.event_var, result.event_level) : 'the event';
  const parts = [
    h('p', {class: 'model-note'}, `Time: ${timeName}, in bins of ${fmt(result.bin_width)}. Event: ${names.variable(result.event_var, false)} is ${events}; other rows are censored. ${result.n_obs} rows, ${result.n_events} events.`),
    chartFigure('kaplan-meier', 'Kaplan–Meier curves', `Survival probability over ${timeName} for ${result.curves.length} groups, starting at 1, with 95% confidence intervals dotted`, {
      grid: {left: 70, right: 20, top: 70, bottom: 55},
      legend: {top: 28, data: result.curves.map(groupOf)}, tooltip: {trigger: 'axis'},
      xAxis: {type: 'value', name: timeName, nameLocation: 'middle', nameGap: 30, min: start, max: allTimes[allTimes.length - 1]},
      yAxis: {type: 'value', min: 0, max: 1, name: 'survival probability'},
      series,
    }, 400),
    table(out, 'at-risk', `Number at risk (at ${timeName})`, ['Group', ...ticks.map((t) => fmt(t))], result.curves.map((c) => [groupOf(c), ...ticks.map((t) => atRisk(c, t))])),
    table(out, 'medians', 'Median survival with its 95% confidence interval', ['Group', 'Rows', 'Events', 'Median', 'CI low', 'CI high'],
      result.curves.map((c) => [groupOf(c), c.n, c.events, c.median ?? 'not reached', c.median_lower_ci ?? 'not reached', c.median_upper_ci ?? 'not reached'])),
  ];
  if (result.logrank) {
    const lr = result.logrank;
    parts.push(table(out, 'logrank', 'Log-rank test between the groups', ['Group', 'Observed events', 'Expected events'],
      lr.groups.map((g, i) => [result.group_var ? names.level(result.group_var, g) : g, lr.observed[i], lr.expected[i]])),
    table(out, 'logrank-test', 'Log-rank test', ['Statistic', 'Value'], [['χ² statistic', lr.chi_squared], ['Degrees of freedom', lr.df], ['p-value', pCell(lr.p_value)]]));
  }
  const rows = [];
  result.curves.forEach((c) => c.time.forEach((t, k) => rows.push([groupOf(c), t, c.n_risk[k], c.n_event[k], c.n_censor[k], c.survival[k], c.lower_ci[k], c.upper_ci[k]])));
  parts.push(h('details', {}, h('summary', {}, 'Survival estimates at every time'),
    table(out, 'survival', 'Survival estimates', ['Group', 'Time', 'At risk', 'Events', 'Censored', 'Survival', 'CI low', 'CI high'], rows)));
  return parts;
}

function anovaOneway(result, {out, names}) {
  const a = result.anova_table;
  const y = names.variable(a.y_label);
  const x = names.variable(a.x_label, false);
  const level = (g) => names.level(a.x_label, g);
  const parts = [
    table(out, 'anova', `One-way ANOVA of ${y} by ${x} (${a.n_obs} observations)`, ['Source', 'Degrees of freedom', 'Sum of squares', 'Mean square', 'F', 'p'], [
      [`${x} (between groups)`, a.df_explained, a.ss_explained, a.ms_explained, a.f_stat, pCell(a.p_value)],
      ['Residual (within groups)', a.df_residual, a.ss_residual, a.ms_residual, null, null]]),
    table(out, 'tukey', 'Tukey’s honest significant differences between each pair of groups', ['Group A', 'Group B', 'Mean A', 'Mean B', 'Difference (A − B)', 'Std. error', 't', 'p (Tukey)'],
      (result.tuckey_test || []).map((t) => [level(t.groupA), level(t.groupB), t.meanA, t.meanB, t.diff, t.se, t.t_stat, pCell(t.p_tuckey)])),
  ];
  const pairs = (result.tuckey_test || []).filter((t) => t.p_t_test !== undefined);
  if (pairs.length) {
    parts.push(table(out, 'pairwise-t', 'Pairwise t-tests (pooled standard deviation), p-values adjusted over the pairs', ['Group A', 'Group B', 't', 'p', 'p adjusted'],
      pairs.map((t) => [level(t.groupA), level(t.groupB), t.t_stat, pCell(t.p_t_test), pCell(t.p_t_test_adjusted)])));
  }
  const ci = result.ci_info;
  if (ci?.means) {
    const groups = Object.keys(ci.means);
    parts.push(table(out, 'group-means', `Mean of ${y} per group`, ['Group', 'Mean', 'Standard deviation', 'Mean − sd', 'Mean + sd'],
      groups.map((g) => [level(g), ci.means[g], ci.sample_stds?.[g], ci['m-s']?.[g], ci['m+s']?.[g]])));
  }
  return parts;
}

function anovaTwoway(result, {out, names}) {
  return [table(out, 'anova', `Two-way ANOVA (type ${result.sstype} sums of squares, ${result.n_obs} observations)`, ['Term', 'Degrees of freedom', 'Sum of squares', 'F', 'p'],
    result.terms.map((t, i) => [t.split(':').map((v) => names.variable(v, false)).join(' × '), result.df[i], result.sum_sq[i], result.f_stat[i], pCell(result.f_pvalue[i])]))];
}

/** The t-tests: their statistics named in words, with the variables they compare. */
function ttest(result, {out, names, request, algorithm}) {
  const y = (request.inputdata?.y || []).map((c) => names.variable(c)).join(' and ');
  const x = (request.inputdata?.x || []).map((c) => names.variable(c, false)).join(', ');
  const what = {ttest_independent: `Independent-samples t-test of ${y}${x ? ` between the groups of ${x}` : ''}`,
    ttest_paired: `Paired t-test of ${y}${x ? ` against ${x}` : ''}`, ttest_onesample: `One-sample t-test of ${y}`}[algorithm] || 't-test';
  const params = Object.entries(request.parameters || {}).map(([k, v]) => `${statName(k)}: ${v}`).join('; ');
  return [h('p', {class: 'model-note'}, what, params ? ` (${params})` : '', '.'), summary(out, 'ttest', result, [], 'Test')];
}

function descriptive(result, {out, names}) {
  const records = result.variable_based || [];
  const numeric = records.filter((r) => r.data && r.data.counts === undefined);
  const nominal = records.filter((r) => r.data && r.data.counts !== undefined);
  const parts = [];
  if (numeric.length) {
    parts.push(table(out, 'descriptive', 'Numerical variables', ['Variable', 'Dataset', 'N', 'Missing', 'Mean', 'Std. deviation', 'Min', 'Q1', 'Median', 'Q3', 'Max'],
      numeric.map((r) => [new Cell(r.variable, names.variable(r.variable)), r.dataset, r.data.num_dtps, r.data.num_na, r.data.mean, r.data.std, r.data.min, r.data.q1, r.data.q2, r.data.q3, r.data.max])));
    for (const variable of [...new Set(numeric.map((r) => r.variable))]) {
      const boxes = numeric.filter((r) => r.variable === variable && [r.data.min, r.data.q1, r.data.q2, r.data.q3, r.data.max].every((v) => typeof v === 'number'));
      if (!boxes.length) continue;
      const label = names.variable(variable);
      parts.push(chartFigure(`box-${variable}`, `Box plot of ${label}`, `Minimum, quartiles and maximum of ${label} in ${boxes.length} datasets`, {
        grid: {left: 70, right: 20, top: 40, bottom: 70},
        xAxis: {type: 'category', data: boxes.map((r) => r.dataset), axisLabel: {rotate: 30}},
        yAxis: {type: 'value', scale: true, name: label},
        tooltip: {trigger: 'item'},
        series: [{type: 'boxplot', name: label, data: boxes.map((r) => [r.data.min, r.data.q1, r.data.q2, r.data.q3, r.data.max])}],
      }));
    }
  }
  if (nominal.length) {
    const rows = [];
    for (const r of nominal) {
      for (const [level, count] of Object.entries(r.data.counts)) rows.push([new Cell(r.variable, names.variable(r.variable, false)), r.dataset, names.level(r.variable, level), count]);
    }
    parts.push(table(out, 'levels', 'Nominal variables: counts per level', ['Variable', 'Dataset', 'Level', 'Count'], rows));
  }
  const empty = records.filter((r) => !r.data);
  if (empty.length) parts.push(h('p', {class: 'muted'}, `No figures for ${empty.length} variable/dataset pairs (too few rows on the node).`));
  return parts;
}

function histograms(result, {out, names}) {
  const list = result.histogram || [];
  return list.map((hist, i) => {
    const edges = hist.bins || [];
    const numeric = isNumberArray(edges) && edges.length === (hist.counts || []).length + 1;
    const labels = numeric ? hist.counts.map((_, k) => `${fmt(edges[k])}–${fmt(edges[k + 1])}`) : edges.map((e) => names.level(hist.var, e));
    const group = hist.grouping_var ? ` (${names.variable(hist.grouping_var, false)}: ${names.level(hist.grouping_var, hist.grouping_enum)})` : '';
    const varName = names.variable(hist.var);
    const title = `Histogram of ${varName}${group}`;
    return h('div', {class: 'histogram'},
      chartFigure(`histogram-${i}`, title, `${title}: counts in ${labels.length} bins`, {
        grid: {left: 60, right: 20, top: 40, bottom: 90},
        xAxis: {type: 'category', data: labels, axisLabel: {rotate: 40}, name: varName, nameLocation: 'middle', nameGap: 70},
        yAxis: {type: 'value', name: 'count'},
        tooltip: {trigger: 'axis'},
        series: [{type: 'bar', name: 'count', data: hist.counts.map((c) => (c === null ? '-' : c)), barCategoryGap: '2%'}],
      }, 320),
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

function correlation(result, {out, names}) {
  const columns = result.correlations.variables;
  const rows = Object.keys(result.correlations).filter((k) => k !== 'variables');
  const label = (c) => names.variable(c, false);
  const matrix = rows.map((r) => result.correlations[r]);
  const parts = [heatmap('correlation', 'Correlation heatmap', rows.map(label), columns.map(label), matrix, [-1, 1]),
    table(out, 'correlations', 'Correlations', ['Variable', ...columns.map(label)], rows.map((r, i) => [new Cell(r, label(r)), ...matrix[i]]))];
  const adjusted = `p-values adjusted (${result.p_adjust}) over the distinct pairs`;
  for (const [key, title] of [['p_values', 'p-values'], ['p_values_adjusted', adjusted], ['ci_lo', 'CI low'], ['ci_hi', 'CI high']]) {
    if (result[key]) {
      parts.push(table(out, key, title, ['Variable', ...columns.map(label)],
        rows.map((r) => [new Cell(r, label(r)), ...result[key][r].map((v) => (key.startsWith('p_values') && v !== null ? pCell(v) : v))])));
    }
  }
  parts.push(summary(out, 'summary', result));
  return parts;
}

function pca(result, {out, names, request}) {
  const values = result.eigenvalues;
  const codes = request.inputdata?.y?.length === result.eigenvectors[0]?.length ? request.inputdata.y : null;
  const labels = codes ? codes.map((c) => names.variable(c, false)) : result.eigenvectors[0].map((_, i) => `variable ${i + 1}`);
  const components = values.map((_, i) => `PC${i + 1}`);
  const total = values.reduce((a, b) => a + b, 0);
  return [
    chartFigure('scree', 'Scree plot', `Eigenvalues of ${values.length} principal components`, {
      grid: {left: 60, right: 20, top: 40, bottom: 40},
      xAxis: {type: 'category', data: components}, yAxis: {type: 'value', name: 'eigenvalue'}, tooltip: {trigger: 'axis'},
      series: [{type: 'bar', data: values}, {type: 'line', data: values}],
    }, 300),
    table(out, 'eigenvalues', 'Eigenvalues', ['Component', 'Eigenvalue', 'Share of variance'], values.map((v, i) => [components[i], v, v / total])),
    heatmap('loadings', 'Loadings', components, labels, result.eigenvectors, [-1, 1]),
    table(out, 'loadings', 'Loadings (eigenvectors)', ['Component', ...labels], result.eigenvectors.map((v, i) => [components[i], ...v])),
    summary(out, 'summary', result),
  ];
}

function kmeans(result, {out, names, request}) {
  const centers = result.centers;
  const codes = request.inputdata?.y?.length === centers[0]?.length ? request.inputdata.y : null;
  const labels = codes ? codes.map((c) => names.variable(c)) : centers[0].map((_, i) => `variable ${i + 1}`);
  const parts = [table(out, 'centers', 'Cluster centres', ['Cluster', ...labels], centers.map((c, i) => [i + 1, ...c]))];
  if (labels.length >= 2) {
    parts.push(chartFigure('centers', 'Cluster centres', `The ${centers.length} centres over ${labels[0]} and ${labels[1]}`, {
      grid: {left: 70, right: 20, top: 40, bottom: 50},
      xAxis: {type: 'value', name: labels[0], nameLocation: 'middle', nameGap: 28, scale: true},
      yAxis: {type: 'value', name: labels[1], scale: true},
      tooltip: {trigger: 'item'},
      series: [{type: 'scatter', symbolSize: 14, data: centers.map((c) => [c[0], c[1]]), label: {show: true, formatter: (p) => `${p.dataIndex + 1}`}}],
    }, 320));
  }
  parts.push(summary(out, 'summary', result));
  return parts;
}

/** Anything else: its scalars, its lists of records, its numeric lists and nested objects, as tables. */
function generic(out, result, name = 'result', title = 'Result') {
  const parts = [];
  const simple = scalars(result);
  if (simple.length) parts.push(table(out, name, title, ['Statistic', 'Value'], simple.map(([k, v]) => [new Cell(k, statName(k)), statCell(k, v)])));
  const lists = Object.entries(result).filter(([, v]) => isNumberArray(v));
  if (lists.length && lists.every(([, v]) => v.length === lists[0][1].length)) {
    parts.push(table(out, `${name}-lists`, `${title}: lists`, ['#', ...lists.map(([k]) => statName(k))],
      lists[0][1].map((_, i) => [i + 1, ...lists.map(([k, v]) => statCell(k, v[i]))])));
  }
  for (const [key, value] of Object.entries(result)) {
    if (['contributing_nodes', 'missing_datasets'].includes(key) || value === null || typeof value !== 'object' || isNumberArray(value)) continue;
    if (Array.isArray(value) && value.length && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      const columns = [...new Set(value.flatMap((v) => Object.keys(v)))];
      parts.push(table(out, `${name}-${key}`, statName(key), columns.map(statName), value.map((v) => columns.map((c) => statCell(c, v[c])))));
    } else if (!Array.isArray(value)) {
      parts.push(...generic(out, value, `${name}-${key}`, statName(key)));
    } else {
      parts.push(table(out, `${name}-${key}`, statName(key), ['#', 'Value'], value.map((v, i) => [i + 1, v])));
    }
  }
  return parts;
}

registerView('logistic_regression', logisticRegression);
registerView('logistic_regression_cv', logisticRegressionCv);
registerView('linear_regression_cv', linearRegressionCv);
registerView('naive_bayes_gaussian_cv', naiveBayesCv);
registerView('naive_bayes_categorical_cv', naiveBayesCv);
registerView('kaplan_meier', kaplanMeier);
registerView('anova_oneway', anovaOneway);
registerView('anova', anovaTwoway);
registerView('ttest_independent', ttest);
registerView('ttest_paired', ttest);
registerView('ttest_onesample', ttest);
registerView('contingency_table', (result, {out}) => contingencyTable(out, result));
registerView('quantiles', (result, {out, names}) => quantiles(out, result, names));
// a mixed model's fixed effects are a regression's coefficient table and forest plot; then its own parts
registerView('linear_mixed_model', (result, context) => [
  ...regression({...result, t_stats: result.t_values, random_effects: undefined}, context),
  ...linearMixedModel(context.out, result)]);

/** By shape, for algorithms without a view of their own. */
function byShape(result, context) {
  const {out} = context;
  if (Array.isArray(result.indep_vars) && isNumberArray(result.coefficients)) return regression(result, context);
  if (Array.isArray(result.variable_based)) return descriptive(result, context);
  if (Array.isArray(result.histogram)) return histograms(result, context);
  if (result.correlations?.variables) return correlation(result, context);
  if (isNumberArray(result.eigenvalues) && Array.isArray(result.eigenvectors)) return pca(result, context);
  if (Array.isArray(result.centers) && Array.isArray(result.centers[0])) return kmeans(result, context);
  return generic(out, result);
}

/**
 * @param variables the data model's CDEs by code (for labels, units and levels); {} when unknown
 * @returns {element, tables: [{title, csv}]}
 */
export function renderResult(algorithm, result, request, variables = {}) {
  const out = {tables: []};
  const context = {out, request, variables, names: naming(variables), algorithm};
  let parts;
  try {
    parts = views.has(algorithm) ? views.get(algorithm)(result, context) : byShape(result, context);
  } catch (e) {
    // a result whose shape the view does not know (an older manager, a changed algorithm): show it as tables
    console.warn(`the view of ${algorithm} failed (${e.message}); shown as tables`);
    out.tables.length = 0;
    parts = generic(out, result);
  }
  parts.push(...contributors(out, result));
  return {element: h('div', {class: 'result', id: 'result', dataset: {algorithm}}, parts.filter(Boolean)), tables: out.tables};
}
