// Vega-Lite → Vega → SVG in Node, without a browser or canvas; sharp turns SVG into PNG.
import sharp from 'sharp';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

type Spec = Record<string, unknown>;

const config = {
  font: 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
  background: 'white',
  view: { stroke: '#ddd' },
};

export async function svgOf(spec: Spec): Promise<string> {
  const vega = compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config,
    ...spec,
  } as TopLevelSpec).spec;
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The charts one under another, as a PNG (twice the SVG's resolution). */
export async function pngOf(charts: Spec[]): Promise<Buffer> {
  // Each chart keeps its own colours and legend.
  const svg = await svgOf({
    vconcat: charts,
    spacing: 28,
    padding: 16,
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  });
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}
