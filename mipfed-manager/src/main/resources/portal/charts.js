// Charts with Apache ECharts (from its WebJar): drawn on a canvas, downloadable as PNG and SVG.
import {download, h} from './dom.js';
import {ECHARTS_MODULE} from './vendor.js';

let library;
const live = new Set();

function echarts() {
  library ||= import(ECHARTS_MODULE);
  return library;
}

window.addEventListener('resize', () => live.forEach((c) => c.resize()));

/** Disposes the charts of the page being left. */
export function disposeCharts() {
  live.forEach((c) => c.dispose());
  live.clear();
}

/**
 * A figure: the chart (a canvas, described for screen readers) and its PNG and SVG downloads.
 * @param name file name stem and chart id; @param description what the chart shows, in words
 */
export function chartFigure(name, title, description, option, height = 360) {
  const canvasBox = h('div', {class: 'chart', role: 'img', 'aria-label': description, dataset: {chart: name}});
  canvasBox.style.height = `${height}px`; // through the CSSOM: the manager's CSP allows no inline style attributes
  const status = h('span', {class: 'muted'});
  const figure = h('figure', {class: 'figure', id: `chart-${name}`},
    h('figcaption', {}, title),
    canvasBox,
    h('div', {class: 'buttons'},
      h('button', {type: 'button', class: 'download-png', onclick: () => exportPng()}, `Download ${title} as PNG`),
      h('button', {type: 'button', class: 'download-svg', onclick: () => exportSvg()}, `Download ${title} as SVG`),
      status));
  const full = {animation: false, title: {text: title, left: 'center', textStyle: {fontSize: 14}}, ...option};
  let instance;
  const ready = echarts().then((e) => {
    instance = e.init(canvasBox, null, {renderer: 'canvas'});
    instance.setOption(full);
    live.add(instance);
    return e;
  }).catch((error) => {
    status.textContent = `The chart library did not load (${error.message}).`;
    throw error;
  });

  async function exportPng() {
    await ready;
    const url = instance.getDataURL({type: 'png', pixelRatio: 2, backgroundColor: '#fff'});
    const a = h('a', {href: url, download: `${name}.png`, hidden: true});
    document.body.append(a);
    a.click();
    a.remove();
  }

  async function exportSvg() {
    const e = await ready;
    const svg = e.init(null, null, {renderer: 'svg', ssr: true, width: instance.getWidth(), height: instance.getHeight()});
    svg.setOption({...full, backgroundColor: '#fff'});
    const text = svg.renderToSVGString();
    svg.dispose();
    download(`${name}.svg`, text, 'image/svg+xml');
  }

  return figure;
}
