// contingency_table's result: the cross table with the expected counts beside the observed, the margins, the tests of
// independence and Cramér's V, and the counts as grouped bars.
import {chartFigure} from '../charts.js';
import {fmt, h} from '../dom.js';
import {csvRow} from '../resultkit.js';

function cell(value, extra) {
  return h('td', {dataset: {value: value === null || value === undefined ? '' : String(value)}}, fmt(value), extra || '');
}

function crossTable(out, r) {
  const columns = [`${r.row_var} \\ ${r.col_var}`, ...r.col_levels, 'Total'];
  out.tables.push({
    title: 'Counts (expected)',
    csv: [csvRow(['row', 'column', 'count', 'expected']),
      ...r.row_levels.flatMap((row, i) => r.col_levels.map((col, j) => csvRow([row, col, r.counts[i][j], r.expected[i][j]])))].join('\n'),
  });
  return h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'table-contingency'},
    h('caption', {}, `Counts of ${r.row_var} by ${r.col_var}, with the counts expected under independence in brackets`),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {},
      r.row_levels.map((level, i) => h('tr', {},
        h('th', {scope: 'row'}, level),
        r.counts[i].map((count, j) => cell(count, h('span', {class: 'muted expected', dataset: {value: String(r.expected[i][j])}}, ` (${fmt(r.expected[i][j])})`))),
        cell(r.row_totals[i]))),
      h('tr', {}, h('th', {scope: 'row'}, 'Total'), r.col_totals.map((t) => cell(t)), cell(r.n)))));
}

function tests(out, r) {
  const rows = [
    [`Pearson's chi-squared${r.chi_squared.yates_correction ? ' (Yates\' correction)' : ''}`, r.chi_squared.statistic, r.chi_squared.df, r.chi_squared.p_value],
    ['Likelihood ratio (G)', r.likelihood_ratio.statistic, r.likelihood_ratio.df, r.likelihood_ratio.p_value],
    ['Fisher\'s exact (two-sided)', null, null, r.fisher_exact.p_value],
  ];
  const columns = ['Test', 'Statistic', 'df', 'p-value'];
  out.tables.push({title: 'Tests of independence', csv: [csvRow(columns), ...rows.map((row) => csvRow(row))].join('\n')});
  return h('div', {class: 'scroll'}, h('table', {class: 'data', id: 'table-contingency-tests'},
    h('caption', {}, 'Tests of independence'),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {},
      rows.map((row) => h('tr', {}, h('th', {scope: 'row'}, row[0]), row.slice(1).map((v) => cell(v)))),
      h('tr', {}, h('th', {scope: 'row'}, 'Cramér\'s V'), cell(r.cramers_v), cell(null), cell(null)))));
}

function dataTable(out, id, title, columns, rows) {
  out.tables.push({title, csv: [csvRow(columns), ...rows.map((row) => csvRow(row))].join('\n')});
  return h('div', {class: 'scroll'}, h('table', {class: 'data', id},
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col'}, c)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, h('th', {scope: 'row'}, row[0]), row.slice(1).map((v) => cell(v)))))));
}

/** A stratified table's parts: each stratum's counts and tests, and the Cochran–Mantel–Haenszel test. */
function strata(out, r) {
  const adjusted = r.p_adjust ? [`χ² p adjusted (${r.p_adjust})`, `G p adjusted`, `Fisher p adjusted`] : [];
  const tests = dataTable(out, 'table-contingency-strata', `Tests of independence within each level of ${r.stratum_var}`,
    [r.stratum_var, 'N', 'χ²', 'df', 'p', 'G', 'p (G)', 'p (Fisher)', 'Cramér\'s V', ...adjusted],
    r.strata.map((s) => [s.level, s.table.n, s.table.chi_squared.statistic, s.table.chi_squared.df, s.table.chi_squared.p_value,
      s.table.likelihood_ratio.statistic, s.table.likelihood_ratio.p_value, s.table.fisher_exact.p_value, s.table.cramers_v,
      ...(s.p_values_adjusted ? [s.p_values_adjusted.chi_squared, s.p_values_adjusted.likelihood_ratio, s.p_values_adjusted.fisher_exact] : [])]));
  const counts = dataTable(out, 'table-contingency-stratum-counts', `Counts of ${r.row_var} by ${r.col_var} within each level of ${r.stratum_var}`,
    [r.stratum_var, r.row_var, ...r.col_levels],
    r.strata.flatMap((s) => s.table.row_levels.map((row, i) => [s.level, row,
      ...r.col_levels.map((col) => { const j = s.table.col_levels.indexOf(col); return j < 0 ? 0 : s.table.counts[i][j]; })])));
  const parts = [counts, tests];
  const mh = r.mantel_haenszel;
  if (mh) {
    const rows = [['Statistic', mh.statistic], ['df', mh.df], ['p-value', mh.p_value], ['Continuity correction', mh.continuity_correction ? 'yes' : 'no']];
    if (mh.common_odds_ratio !== undefined) {
      rows.push(['Common odds ratio (Mantel–Haenszel)', mh.common_odds_ratio], ['95% CI low', mh.common_odds_ratio_ci[0]], ['95% CI high', mh.common_odds_ratio_ci[1]]);
    }
    parts.push(dataTable(out, 'table-mantel-haenszel', `Cochran–Mantel–Haenszel test: ${r.row_var} and ${r.col_var} given ${r.stratum_var}`, ['', 'Value'], rows));
  }
  return parts;
}

/** The parts of a contingency_table result; out collects the tables offered as CSV. */
export function contingencyTable(out, r) {
  const notes = [...(r.warnings || []), ...(r.fisher_exact.note ? [`Fisher's exact test: ${r.fisher_exact.note}`] : [])];
  return [
    r.strata ? h('p', {class: 'model-note'}, `All ${r.strata.length} levels of ${r.stratum_var} together:`) : null,
    crossTable(out, r),
    tests(out, r),
    notes.length ? h('ul', {class: 'warnings', id: 'contingency-notes'}, notes.map((n) => h('li', {}, n))) : null,
    chartFigure('contingency', `${r.row_var} by ${r.col_var}`,
      `Grouped bars: the count of each level of ${r.col_var} for each level of ${r.row_var}`, {
        grid: {left: 60, right: 20, top: 60, bottom: 50},
        legend: {top: 25},
        tooltip: {trigger: 'axis'},
        xAxis: {type: 'category', data: r.col_levels, name: r.col_var},
        yAxis: {type: 'value', name: 'count'},
        series: r.row_levels.map((level, i) => ({type: 'bar', name: level, data: r.counts[i]})),
      }, 320),
    ...(r.strata ? strata(out, r) : []),
  ];
}
