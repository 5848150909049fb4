// Small inline-SVG charts for the financial reports: grouped bars with an axis and a legend.
// Amounts arrive as exact decimal strings; they are drawn as numbers (a chart is approximate by
// nature), while every figure in the tables stays the exact decimal.
'use strict';

const Charts = (() => {
  // The SVG namespace, as the HTML parser assigns it to an <svg> element.
  const NS = (() => { const probe = document.createElement('div'); probe.innerHTML = '<svg></svg>'; return probe.firstChild.namespaceURI; })();
  const PALETTE = ['#1f6feb', '#2e7d32', '#ffb703', '#c62828', '#8e44ad', '#00838f'];

  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
    return 10 * power;
  }

  // categories: ['Oct 2026', ...]; series: [{name, values: [number per category]}]
  function bars(title, categories, series, unit) {
    const width = 560, height = 280, left = 64, right = 12, top = 28, bottom = 44;
    const svg = el('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
    svg.appendChild(el('text', { x: left, y: 16, 'font-weight': '600' }, title + (unit ? ` (${unit})` : '')));
    const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
    const plotH = height - top - bottom, plotW = width - left - right;
    for (let i = 0; i <= 4; i++) {
      const y = top + plotH - (plotH * i) / 4;
      svg.appendChild(el('line', { x1: left, x2: width - right, y1: y, y2: y, stroke: '#e3e8ee' }));
      svg.appendChild(el('text', { x: left - 6, y: y + 4, 'text-anchor': 'end' }, ((max * i) / 4).toLocaleString()));
    }
    const groupW = plotW / Math.max(1, categories.length);
    const barW = Math.max(4, Math.min(36, (groupW * 0.8) / Math.max(1, series.length)));
    categories.forEach((category, c) => {
      const x0 = left + c * groupW + (groupW - barW * series.length) / 2;
      series.forEach((s, k) => {
        const value = s.values[c] || 0;
        const h = (plotH * Math.max(0, value)) / max;
        const bar = el('rect', { x: x0 + k * barW, y: top + plotH - h, width: barW - 2, height: h, fill: PALETTE[k % PALETTE.length], rx: 2 });
        bar.appendChild(el('title', {}, `${s.name} ${category}: ${value.toLocaleString()}`));
        svg.appendChild(bar);
      });
      svg.appendChild(el('text', { x: left + c * groupW + groupW / 2, y: height - bottom + 16, 'text-anchor': 'middle' }, category));
    });
    svg.appendChild(el('line', { x1: left, x2: width - right, y1: top + plotH, y2: top + plotH, stroke: '#8795a6' }));
    const legend = document.createElement('div');
    legend.className = 'legend';
    series.forEach((s, k) => {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.style.background = PALETTE[k % PALETTE.length];
      item.append(swatch, s.name);
      legend.appendChild(item);
    });
    const box = document.createElement('div');
    box.append(svg, legend);
    return box;
  }

  return { bars };
})();
