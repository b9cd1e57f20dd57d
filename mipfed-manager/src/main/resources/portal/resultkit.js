// What every result view uses: tables whose cells keep the exact value, statistic names in words, p-values as journals
// print them, and names from the data model. results.js and views/<algorithm>.js build on it.
import {levelName, sortedLevels, variableName} from './catalogue.js';
import {fmt, fmtP, h} from './dom.js';

export function csvRow(cells) {
  return cells.map((c) => {
    const text = c === null || c === undefined ? '' : typeof c === 'object' ? JSON.stringify(c) : String(c);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }).join(',');
}

/** A cell shown as text but kept (data-value, CSV) as value: a p-value shown "< 0.001", a term shown by its label. */
export class Cell {
  constructor(value, text, attrs = {}) {
    this.value = value;
    this.text = text;
    this.attrs = attrs;
  }
}

/** A p-value cell. */
export const pCell = (p) => new Cell(p, fmtP(p), {class: 'p-value'});

const raw = (v) => (v instanceof Cell ? v.value : v);
const shown = (v) => (v instanceof Cell ? v.text : fmt(v));
const dataValue = (v) => {
  const r = raw(v);
  return r === null || r === undefined ? '' : typeof r === 'object' ? JSON.stringify(r) : String(r);
};

const attrsOf = (v) => ({...(v instanceof Cell ? v.attrs : {}),
  dataset: {...(v instanceof Cell ? v.attrs.dataset : {}), value: dataValue(v)}});

/** A table whose cells keep the exact value in data-value (the text is rounded for reading); out collects its CSV. */
export function table(out, name, title, columns, rows) {
  out.tables.push({title, csv: [csvRow(columns), ...rows.map((r) => csvRow(r.map(raw)))].join('\n')});
  return h('div', {class: 'scroll'}, h('table', {class: 'data', id: `table-${name}`},
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((v, i) => (i === 0
      ? h('th', {scope: 'row', ...attrsOf(v)}, shown(v))
      : h('td', attrsOf(v), shown(v)))))))));
}

/** Statistic names in words, for the keys algorithms answer with. */
export const STAT_NAMES = {
  n_obs: 'Observations', n: 'Observations', df: 'Degrees of freedom', df_model: 'Degrees of freedom of the model',
  df_resid: 'Residual degrees of freedom', df_residual: 'Residual degrees of freedom', df_explained: 'Degrees of freedom between groups',
  rse: 'Residual standard error', r_squared: 'R²', r_squared_adjusted: 'Adjusted R²', adj_r_squared: 'Adjusted R²',
  f_stat: 'F statistic', f_pvalue: 'p-value of the F test', f_p_value: 'p-value of the F test',
  ll: 'Log-likelihood', ll0: 'Log-likelihood of the null model (intercept only)', aic: 'Akaike information criterion (AIC)',
  bic: 'Bayesian information criterion (BIC)', r_squared_mcf: 'McFadden’s pseudo R²', r_squared_cs: 'Cox–Snell pseudo R²',
  t_stat: 't statistic', z_stat: 'z statistic', p: 'p-value', p_value: 'p-value', pvalue: 'p-value', mean_diff: 'Difference of the means',
  se_diff: 'Standard error of the difference', ci_lower: 'Confidence interval, lower bound', ci_upper: 'Confidence interval, upper bound',
  cohens_d: 'Cohen’s d (effect size)', welch_df: 'Welch’s degrees of freedom', std: 'Standard deviation', mean: 'Mean',
  ss_residual: 'Residual sum of squares', ss_explained: 'Sum of squares between groups', ms_residual: 'Residual mean square',
  ms_explained: 'Mean square between groups', min_resid: 'Smallest residual', max_resid: 'Largest residual',
  median_resid: 'Median residual', q1_resid: 'First quartile of the residuals', q3_resid: 'Third quartile of the residuals',
  n_events: 'Events', bin_width: 'Bin width', conf_level: 'Confidence level', chi_squared: 'χ² statistic',
  deviance: 'Deviance', null_deviance: 'Null deviance', dispersion: 'Dispersion', iterations: 'Iterations',
  secure_aggregation: 'Secure aggregation', sstype: 'Type of sums of squares', total_n_obs: 'Observations',
  inertia: 'Inertia (within-cluster sum of squares)', n_iter: 'Iterations', accuracy: 'Accuracy', precision: 'Precision',
  recall: 'Recall (sensitivity)', fscore: 'F1 score', auc: 'Area under the ROC curve', mean_sq_error: 'Mean squared error',
  mean_abs_error: 'Mean absolute error', tp: 'True positives', fp: 'False positives', tn: 'True negatives', fn: 'False negatives',
};

export function statName(key) {
  if (STAT_NAMES[key]) return STAT_NAMES[key];
  const words = String(key).replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const isPKey = (key) => /^(p|pvalue|p_value|f_pvalue|f_p_value|p_tuckey|p_tukey|pvalues)$/i.test(key) || /(^|_)p_?value$/i.test(key);

/** A value for a statistic: p-values as journals print them. */
export function statCell(key, value) {
  return isPKey(key) && typeof value === 'number' ? pCell(value) : value;
}

export const isNumberArray = (a) => Array.isArray(a) && a.length > 0 && a.every((v) => v === null || typeof v === 'number');
export const scalars = (o) => Object.entries(o).filter(([, v]) => v === null || ['number', 'string', 'boolean'].includes(typeof v));

/** The scalars of a result as a table of statistics named in words (the key stays in data-value). */
export function summary(out, name, result, skip = [], title = 'Summary') {
  const rows = scalars(result).filter(([k]) => !skip.includes(k))
    .map(([k, v]) => [new Cell(k, statName(k)), statCell(k, v)]);
  return rows.length ? table(out, name, title, ['Statistic', 'Value'], rows) : null;
}

/**
 * Names from the data model for a view: variables with label and unit, levels with their label, and regression terms
 * ("gender[M]") in words with the reference level they are compared with.
 */
export function naming(variables) {
  return {
    variable: (code, withUnit = true) => variableName(variables, code, withUnit),
    level: (code, level) => levelName(variables, code, level),
    /** A regression term in words: "Gender: Male (M) vs the reference" or the variable's label. */
    term(term) {
      const m = /^(.+)\[(.+)\]$/.exec(term);
      if (m && variables?.[m[1]]) return `${variableName(variables, m[1], false)}: ${levelName(variables, m[1], m[2])}`;
      if (/^(intercept|const|\(intercept\))$/i.test(term)) return 'Intercept';
      return variableName(variables, term);
    },
    /** "Gender: Female (F)" for each nominal covariate among the terms: the level the others are compared with. */
    references(terms) {
      const byVariable = new Map();
      for (const t of terms) {
        const m = /^(.+)\[(.+)\]$/.exec(t);
        if (m) {
          if (!byVariable.has(m[1])) byVariable.set(m[1], []);
          byVariable.get(m[1]).push(m[2]);
        }
      }
      return [...byVariable.entries()].map(([code, levels]) => {
        const reference = sortedLevels(variables, code).find((l) => !levels.includes(l));
        return `${variableName(variables, code, false)}: ${reference === undefined ? 'the first level present' : levelName(variables, code, reference)}`;
      });
    },
  };
}

/** "Fold 1", "Fold 2"… by position, whatever the algorithm called them (fold0, fold_1). */
export const foldName = (i) => `Fold ${i + 1}`;
