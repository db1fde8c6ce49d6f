#!/usr/bin/env node
/**
 * Circular-import check (run by `npm test`): every import among src/**.ts, type-only imports included (a type cycle
 * is still a knot a reader has to untie), resolved like TypeScript's NodeNext (`./x.js` -> `./x.ts`, `./dir/index.ts`).
 * Prints each cycle (a strongly connected component of the import graph) and exits 1 when there is any.
 *
 *   node scripts/check-cycles.mjs [ROOT=src] [--folders]
 *
 * --folders also fails on cycles between the folders of ROOT/engine (config, delivery, intake, ...: each folder is a
 * layer; a folder that imports one that imports it back is a knot even when no file cycle closes). Files directly in
 * ROOT/engine are the composition layer above the folders and are left out of that graph.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const args = process.argv.slice(2);
const root = resolve(args.find((a) => !a.startsWith('--')) ?? 'src');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return /\.(m|c)?ts$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

function resolveImport(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.(m|c)?js$/, (m) => m.replace('js', 'ts')), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** Import graph: file -> files it imports (relative imports only). */
export function importGraph(all) {
  const graph = new Map();
  for (const file of all) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const deps = new Set();
    for (const { fileName } of info.importedFiles) {
      const target = resolveImport(file, fileName);
      if (target) deps.add(target);
    }
    graph.set(file, deps);
  }
  return graph;
}

/** Tarjan's strongly connected components with more than one node (or a self-import). */
export function cycles(graph) {
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    stack = [],
    on = new Set(),
    out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

const graph = importGraph(files(root));
const found = cycles(graph);
const rel = (f) => relative(process.cwd(), f);
for (const scc of found) {
  console.error(`import cycle among ${scc.length} files:`);
  for (const f of scc) {
    const inside = [...graph.get(f)].filter((d) => scc.includes(d)).map(rel);
    console.error(`  ${rel(f)} -> ${inside.join(', ')}`);
  }
}
if (args.includes('--folders')) {
  const engine = join(root, 'engine');
  const folderOf = (f) => (dirname(f) === engine ? 'engine (top)' : relative(engine, f).split('/')[0]);
  const fg = new Map();
  for (const [f, deps] of graph) {
    if (!f.startsWith(engine) || dirname(f) === engine) continue;
    const a = folderOf(f);
    if (!fg.has(a)) fg.set(a, new Set());
    for (const d of deps)
      if (d.startsWith(engine) && dirname(d) !== engine && folderOf(d) !== a) fg.get(a).add(folderOf(d));
  }
  for (const scc of cycles(fg)) {
    console.error(`folder cycle in ${rel(engine)}: ${scc.join(' <-> ')}`);
    for (const a of scc) console.error(`  ${a} -> ${[...fg.get(a)].filter((b) => scc.includes(b)).join(', ')}`);
    found.push(scc);
  }
}
if (found.length) {
  console.error(
    `${found.length} import cycle(s) in ${rel(root)}: break them (move the shared type or function to the module both need)`,
  );
  process.exit(1);
}
console.log(`no import cycles in ${rel(root) || '.'} (${graph.size} files)`);
