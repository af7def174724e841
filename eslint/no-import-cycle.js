// import-x/no-cycle skips `import type`, yet two modules that name each other's types are still
// one module split in two. This rule follows every relative import and re-export, types
// included, and reports the first one that leads back to the file it is in.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

const SPECIFIER = /^\s*(?:import|export)\b[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** Relative imports of a file, resolved to absolute paths; read once per lint run. */
const importsOf = new Map();
function relativeImports(file) {
  if (!importsOf.has(file)) {
    let source = '';
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      // A path that does not exist is for import-x/no-unresolved (or tsc) to report.
    }
    const targets = [...source.matchAll(SPECIFIER)].map((match) => resolve(dirname(file), match[1] ?? match[2]));
    importsOf.set(file, targets);
  }
  return importsOf.get(file);
}

function leadsBack(start, target) {
  const seen = new Set();
  const stack = [start];
  while (stack.length > 0) {
    const file = stack.pop();
    if (file === target) return true;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...relativeImports(file));
  }
  return false;
}

export const noImportCycle = {
  meta: { type: 'problem', messages: { cycle: '{{target}} imports this file again (types count): move what both need into a module both import.' } },
  create(context) {
    const file = context.filename;
    const check = (node) => {
      const value = node.source?.value;
      if (typeof value !== 'string' || !value.startsWith('.')) return;
      const target = resolve(dirname(file), value);
      if (leadsBack(target, file)) context.report({ node: node.source, messageId: 'cycle', data: { target: relative(dirname(file), target) } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};
