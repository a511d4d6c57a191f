// SVG to PNG through resvg's WebAssembly build, with DejaVu Sans (the figures' font) from npm,
// so that the result is the same on every machine. Loaded only when a PNG is asked for.
import { initWasm, Resvg } from "npm:@resvg/resvg-wasm@2.6.2";
// the font package has no module: importing its package.json brings it into the module graph
import "npm:dejavu-fonts-ttf@2.37.3/package.json" with { type: "json" };
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let ready: Promise<Uint8Array> | undefined;

function init(): Promise<Uint8Array> {
  ready ??= (async () => {
    await initWasm(await Deno.readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm")));
    return await Deno.readFile(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf"));
  })();
  return ready;
}

/** Renders an SVG document to PNG bytes at `scale` times its size (default 2). */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const font = await init();
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { fontBuffers: [font], loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  try {
    return resvg.render().asPng();
  } finally {
    resvg.free();
  }
}
