// cox_regression's result: what was modelled, the coefficients with their hazard ratios, a forest plot of the hazard
// ratios (log scale, line at 1), the model's likelihood-ratio, Wald and score tests, and the test of proportional
// hazards per covariate and global (R's cox.zph).
import {chartFigure} from '../charts.js';
import {h} from '../dom.js';
import {Cell, pCell, table} from '../resultkit.js';
import {registerView} from './registry.js';

function forest(rows) {
  const shown = [...rows].reverse();
  return chartFigure('forest', 'Forest plot of the hazard ratios', `Hazard ratios with their 95% confidence intervals for ${shown.length} terms`, {
    grid: {left: 10, right: 30, top: 40, bottom: 45, containLabel: true},
    xAxis: {type: 'log', name: 'hazard ratio (log scale)', nameLocation: 'middle', nameGap: 28},
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
      {type: 'scatter', name: 'hazard ratio', data: shown.map((r, i) => [r.c, i]), symbolSize: 9, itemStyle: {color: '#c0392b'},
        markLine: {silent: true, symbol: 'none', label: {show: false}, data: [{xAxis: 1}], lineStyle: {type: 'dashed', color: '#666'}}},
    ],
  }, Math.max(220, 70 + shown.length * 28));
}

function coxRegression(r, {out, names}) {
  const terms = r.covariates;
  const event = names.level(r.event_var, r.event_level);
  const adjusted = Array.isArray(r.pvalues_adjusted);
  const refs = names.references(terms);
  const ph = r.proportional_hazards;
  return [
    h('p', {class: 'model-note', id: 'modelled'}, 'Modelled: the hazard of ', h('strong', {}, names.variable(r.event_var, false)),
      ' being ', h('strong', {}, event), ` over ${names.variable(r.time_var)}, in bins of ${r.bin_width}; other rows are censored. `,
      `${r.n_obs} rows, ${r.n_events} events; ties by ${r.ties === 'efron' ? 'Efron’s' : 'Breslow’s'} method`,
      r.strata_var ? `; a baseline hazard per level of ${names.variable(r.strata_var, false)}.` : '.',
      ' A hazard ratio above 1 means a higher hazard with the covariate (per unit, or against the reference level).'),
    table(out, 'coefficients', 'Coefficients and hazard ratios',
      ['Variable', 'Coefficient (log hazard ratio)', 'Std. error', 'z', 'p', ...(adjusted ? [`p (${r.p_adjust})`] : []),
        'Hazard ratio', 'HR CI low', 'HR CI high'],
      terms.map((n, i) => [new Cell(n, names.term(n), {dataset: {term: n}}), r.coefficients[i], r.std_err[i], r.z_values[i],
        pCell(r.pvalues[i]), ...(adjusted ? [pCell(r.pvalues_adjusted[i])] : []), r.hazard_ratios[i], r.hr_lower_ci[i], r.hr_upper_ci[i]])),
    refs.length ? h('p', {class: 'reference-levels', id: 'reference-levels'}, h('strong', {}, 'Reference levels: '), refs.join('; '),
      '. Each other level is compared with its variable’s reference level.') : null,
    forest(terms.map((n, i) => ({label: names.term(n), c: r.hazard_ratios[i], lo: r.hr_lower_ci[i], hi: r.hr_upper_ci[i]}))),
    table(out, 'model-tests', `Tests of the model (log-likelihood ${r.log_likelihood.toPrecision(8)}, at β = 0 ${r.log_likelihood_null.toPrecision(8)})`,
      ['Test', 'χ²', 'Degrees of freedom', 'p'], [
        ['Likelihood ratio', r.likelihood_ratio_test.chisq, r.likelihood_ratio_test.df, pCell(r.likelihood_ratio_test.p_value)],
        ['Wald', r.wald_test.chisq, r.wald_test.df, pCell(r.wald_test.p_value)],
        ['Score (log-rank)', r.score_test.chisq, r.score_test.df, pCell(r.score_test.p_value)]]),
    table(out, 'proportional-hazards', `Test of proportional hazards (R’s cox.zph, transform ${ph.transform})`,
      ['Covariate', 'χ²', 'Degrees of freedom', 'p'], [
        ...ph.terms.map((t, i) => [names.variable(t, false), ph.chisq[i], ph.df[i], pCell(ph.pvalues[i])]),
        ['Global', ph.global.chisq, ph.global.df, pCell(ph.global.p_value)]]),
  ].filter((e) => e !== null);
}

registerView('cox_regression', coxRegression);
