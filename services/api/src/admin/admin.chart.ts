import type { TGrowthPoint } from '@paperboy/domain';

export type TGrowthChart = {
  width: number;
  height: number;
  /** `x,y x,y …` for an SVG polyline of confirmed subscribers. */
  line: string;
  bars: { x: number; y: number; width: number; height: number; label: string }[];
  dots: { x: number; y: number; label: string }[];
  max: number;
  firstWeek: string;
  lastWeek: string;
  summary: string;
};

const WIDTH = 560;
const HEIGHT = 160;
const PAD = { top: 12, right: 12, bottom: 12, left: 12 };

/**
 * The dashboard's growth chart, computed here and drawn by a Handlebars partial as plain SVG:
 * a line of confirmed subscribers at the end of each week over bars of that week's signups.
 * Both share one scale so the bars read as the inflow behind the line.
 */
export function growthChart(points: TGrowthPoint[]): TGrowthChart {
  const max = Math.max(1, ...points.map((point) => Math.max(point.confirmed, point.signups)));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = points.length > 1 ? plotWidth / (points.length - 1) : 0;
  const x = (index: number) => Math.round((PAD.left + (points.length > 1 ? index * step : plotWidth / 2)) * 10) / 10;
  const y = (value: number) => Math.round((PAD.top + plotHeight - (value / max) * plotHeight) * 10) / 10;
  const barWidth = Math.max(4, Math.min(24, step * 0.5));
  const week = (point: TGrowthPoint) => point.weekStart.slice(0, 10);
  const last = points.at(-1);
  return {
    width: WIDTH,
    height: HEIGHT,
    line: points.map((point, index) => `${x(index)},${y(point.confirmed)}`).join(' '),
    bars: points.map((point, index) => ({
      x: Math.round((x(index) - barWidth / 2) * 10) / 10,
      y: y(point.signups),
      width: barWidth,
      height: Math.round((PAD.top + plotHeight - y(point.signups)) * 10) / 10,
      label: `Week of ${week(point)}: ${point.signups} signups`,
    })),
    dots: points.map((point, index) => ({ x: x(index), y: y(point.confirmed), label: `Week of ${week(point)}: ${point.confirmed} confirmed` })),
    max,
    firstWeek: points[0] ? week(points[0]) : '',
    lastWeek: last ? week(last) : '',
    summary: last ? `${last.confirmed} confirmed subscribers at the end of the week of ${week(last)}` : 'No data yet',
  };
}
