// A small SVG plotting module: line plots over time and bar plots, with axes, grid and a text description.
import { s, h } from './dom.js';

const W = 640;
const H = 220;
const PAD = { l: 56, r: 12, t: 12, b: 28 };

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function short(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(1).replace(/\.0$/, '') + 'M';
  if (a >= 1e3) return (v / 1e3).toFixed(1).replace(/\.0$/, '') + 'k';
  if (a > 0 && a < 1) return v.toPrecision(2);
  return String(Math.round(v * 100) / 100);
}

function hhmm(t) {
  const d = new Date(t);
  return String(d.getUTCHours()).padStart(2, '0') + ':' + String(d.getUTCMinutes()).padStart(2, '0');
}

/**
 * A line plot. series: [{name, cls, points: [{t: ms or ISO, v: number|null}]}]; unit labels the y axis.
 * Returns a <figure> with the SVG (role img, labelled) and a legend.
 */
export function linePlot(title, series, { unit = '', format = short } = {}) {
  const all = series.flatMap(x => x.points).filter(p => p.v !== null && p.v !== undefined);
  // the time axis spans every bucket, also those without a value (a latency with no requests is null)
  const ts = series.flatMap(x => x.points).map(p => +new Date(p.t)).filter(t => !isNaN(t));
  const t0 = ts.length ? Math.min(...ts) : 0;
  const t1 = ts.length ? Math.max(...ts) : 1;
  const ymax = niceMax(Math.max(0, ...all.map(p => p.v)));
  const x = t => PAD.l + (t1 === t0 ? 0 : ((+new Date(t) - t0) / (t1 - t0)) * (W - PAD.l - PAD.r));
  const y = v => H - PAD.b - (v / ymax) * (H - PAD.t - PAD.b);
  const grid = [];
  for (let i = 0; i <= 4; i++) {
    const v = (ymax * i) / 4;
    grid.push(s('line', { class: 'grid', x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v) }));
    grid.push(s('text', { class: 'tick', x: PAD.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, format(v)));
  }
  if (ts.length) {
    for (let i = 0; i <= 4; i++) {
      const t = t0 + ((t1 - t0) * i) / 4;
      grid.push(s('text', { class: 'tick', x: x(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' }, hhmm(t)));
    }
  }
  const has = p => p && p.v !== null && p.v !== undefined;
  const lines = series.map(ser => {
    const ps = ser.points;
    if (!ps.some(has)) return null;
    // a bucket without a value breaks the line; a value alone between gaps is drawn as a dot
    const d = ps.map((p, i) => has(p) ? (has(ps[i - 1]) ? 'L' : 'M') + x(p.t).toFixed(1) + ',' + y(p.v).toFixed(1) : '').filter(Boolean).join(' ');
    const dots = ps.filter((p, i) => has(p) && !has(ps[i - 1]) && !has(ps[i + 1]))
      .map(p => s('circle', { class: 'dot ' + (ser.cls || ''), cx: x(p.t).toFixed(1), cy: y(p.v).toFixed(1), r: 3 }));
    return [s('path', { class: 'line ' + (ser.cls || ''), d }), dots];
  });
  const last = series.map(ser => {
    const pts = ser.points.filter(p => p.v !== null && p.v !== undefined);
    return `${ser.name} ${pts.length ? format(pts[pts.length - 1].v) + (unit ? ' ' + unit : '') : 'no data'}`;
  }).join('; ');
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img', 'aria-label': `${title}: latest ${last}` },
    s('title', {}, title), grid, s('line', { class: 'axis', x1: PAD.l, x2: W - PAD.r, y1: H - PAD.b, y2: H - PAD.b }), lines,
    all.length === 0 ? s('text', { class: 'tick', x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no data yet') : null);
  return h('figure', { class: 'figure' },
    h('figcaption', {}, title, unit ? h('span', { class: 'muted' }, ` (${unit})`) : null),
    svg,
    h('ul', { class: 'legend' }, series.map(ser => h('li', {}, h('span', { class: 'swatch ' + (ser.cls || '') , 'aria-hidden': 'true' }), ser.name))));
}

/** A horizontal bar plot: bars [{label, value, flag}] (flag marks a bar, e.g. unpriced). */
export function barPlot(title, bars, { format = short, unit = '' } = {}) {
  const rows = bars.slice(0, 20);
  const rowH = 22;
  const height = PAD.t + rows.length * rowH + 8;
  const labelW = 180;
  const max = niceMax(Math.max(0, ...rows.map(b => b.value || 0)));
  const width = W - labelW - 80;
  const svg = s('svg', { viewBox: `0 0 ${W} ${Math.max(height, 40)}`, class: 'plot', role: 'img', 'aria-label': `${title}: ` + rows.map(b => `${b.label} ${format(b.value || 0)}`).join('; ') },
    s('title', {}, title),
    rows.map((b, i) => {
      const yy = PAD.t + i * rowH;
      const w = Math.max(1, ((b.value || 0) / max) * width);
      const label = b.label.length > 26 ? b.label.slice(0, 25) + '…' : b.label;
      return s('g', {},
        s('text', { class: 'tick', x: labelW - 6, y: yy + 14, 'text-anchor': 'end' }, label + (b.flag ? ' ⚑' : '')),
        s('rect', { class: 'bar' + (b.flag ? ' flagged' : ''), x: labelW, y: yy + 3, width: w.toFixed(1), height: rowH - 8 }),
        s('text', { class: 'tick', x: labelW + w + 6, y: yy + 14 }, format(b.value || 0) + (unit ? ' ' + unit : '')));
    }),
    rows.length === 0 ? s('text', { class: 'tick', x: W / 2, y: 28, 'text-anchor': 'middle' }, 'no data') : null);
  return h('figure', { class: 'figure' }, h('figcaption', {}, title), svg);
}
