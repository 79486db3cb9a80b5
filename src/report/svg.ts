import type { LoggerInterface } from 'vega';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Renders Vega-Lite specs to SVG strings in Node, without a browser: Vega-Lite compiles to a
 * Vega spec, and a headless View ('none' renderer) serialises its scene graph to SVG.
 */

/** Swallows Vega's and Vega-Lite's warnings: report modules never write to the console. */
function silentLogger(): LoggerInterface {
  let level = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error: () => logger,
    warn: () => logger,
    info: () => logger,
    debug: () => logger,
  };
  return logger as LoggerInterface;
}

/**
 * Vega numbers clip paths and gradients from process-wide counters, so a second render of
 * the same chart gets other ids, and two charts inlined in one page could share one. Each
 * id is renamed `<prefix>-<n>` in order of first appearance: byte-identical output for the
 * same input, and ids unique per chart.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  return svg.replace(/(id="|url\(#)((?:p_)?(?:clip\d+|gradient_\d+))/g, (_, lead: string, id: string) => {
    let mapped = ids.get(id);
    if (mapped === undefined) {
      mapped = `${prefix}-${ids.size + 1}`;
      ids.set(id, mapped);
    }
    return `${lead}${mapped}`;
  });
}

/**
 * A mark with a `description` encoding is written with an aria-label; a static SVG shows a
 * hover text only for a `<title>` child, so each such symbol gets one with the same text.
 */
export function titleTooltips(svg: string): string {
  return svg.replace(
    /<path([^>]*?) aria-label="([^"]*)"([^>]*?)\/>/g,
    (_, a: string, label: string, b: string) =>
      `<path${a} aria-label="${label}"${b}><title>${label}</title></path>`,
  );
}

/** One chart as an `<svg>` element; `idPrefix` must be unique within the page. */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  // Loaded on first use: they are most of the CLI's start-up, and most commands draw nothing.
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const logger = silentLogger();
  const compiled = compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    return titleTooltips(scopeSvgIds(await view.toSVG(), idPrefix));
  } finally {
    view.finalize();
  }
}
