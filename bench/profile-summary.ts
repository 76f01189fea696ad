/**
 * Summarises V8 CPU profiles (`node --cpu-prof`): self time by function (name, file, line) and
 * by package or source folder, top first.
 *   npx tsx bench/profile-summary.ts <file.cpuprofile>… [--top 30]
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { decode, type SourceMapSegment } from '@jridgewell/sourcemap-codec';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 30;
const files = args.filter((_, i) => topAt < 0 || (i !== topAt && i !== topAt + 1));

/** Where a frame comes from: an npm package, a folder of this project, node itself or V8. */
function origin(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    // Next's compiled copies of other packages (next/dist/compiled/<pkg>) are told apart.
    if (pkg === 'next' && rest[1] === 'dist' && rest[2] === 'compiled') return `next/compiled/${rest[3]}`;
    return pkg;
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const m = /\/(lib|app|server\.ts|\.next|bench\/(?!lib|app))(\/?[^/]+)?/.exec(url.replace(/.*\/wt\/[^/]+/, ''));
  return m ? m[1] + (m[2] ?? '') : url.replace(/^file:\/\//, '');
}

const shortUrl = (url: string) => {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const root = url.indexOf('/wt/');
  return root >= 0 ? url.slice(url.indexOf('/', root + 4) + 1) : url.replace(/^file:\/\//, '');
};

/*
 * Bundled code (.next/server/chunks/*.js) is minified: its frames are mapped back through the
 * chunk's source map (decoded by @jridgewell/sourcemap-codec, as Vite and Rollup do).
 */
interface SourceMap {
  sources: string[];
  lines: SourceMapSegment[][];
}
const maps = new Map<string, SourceMap | null>();
function sourceMapOf(url: string): SourceMap | null {
  if (maps.has(url)) return maps.get(url)!;
  let map: SourceMap | null = null;
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (file.endsWith('.js') && existsSync(file + '.map')) {
    const raw = JSON.parse(readFileSync(file + '.map', 'utf8')) as { sources: string[]; mappings?: string };
    if (typeof raw.mappings === 'string') {
      map = { sources: raw.sources.map((s) => path.normalize(path.join(path.dirname(file), s))), lines: decode(raw.mappings) };
    }
  }
  maps.set(url, map);
  return map;
}
/** The original file and line of a bundled frame, when its chunk has a source map. */
function original(url: string, line: number, col: number): { url: string; line: number } | undefined {
  const map = sourceMapOf(url);
  const segs = map?.lines[line];
  if (!map || !segs?.length) return undefined;
  // The last segment starting at or before the column, that names a source position.
  const mapped = segs.filter((seg) => seg.length >= 4);
  if (!mapped.length) return undefined;
  const best = [...mapped].reverse().find((seg) => seg[0] <= col) ?? mapped[0];
  return { url: map.sources[best[1]!], line: best[2]! };
}

const byFunction = new Map<string, number>();
const byOrigin = new Map<string, number>();
let total = 0;
for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  for (let i = 0; i < p.samples.length; i++) {
    const n = nodes.get(p.samples[i])!;
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    let { url, lineNumber } = n.callFrame;
    const { functionName, columnNumber } = n.callFrame;
    if (url.includes('/.next/')) {
      const o = original(url, lineNumber, columnNumber);
      if (o) [url, lineNumber] = [o.url, o.line];
    }
    const key = `${functionName || '(anonymous)'}  ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + dt);
    const o = origin(url, functionName);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + dt);
  }
}

const table = (m: Map<string, number>, label: string) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => ({ [label]: k, 'self ms': Math.round(v), share: `${((100 * v) / total).toFixed(1)}%` }));

console.log(`${files.length} profile(s), ${Math.round(total)} ms sampled`);
console.log('\nSelf time by package / source folder:');
console.table(table(byOrigin, 'origin'));
console.log('\nSelf time by function:');
console.table(table(byFunction, 'function'));
