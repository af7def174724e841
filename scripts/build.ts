// `npm run build`: type-checks, then bundles each service into one ESM file (services/*/dist)
// so production images run plain `node` without a TypeScript loader. Workspace packages are
// bundled in; npm dependencies stay external and are installed beside the bundle.
import { execFileSync } from 'node:child_process';
import { build, type Plugin } from 'esbuild';

const externalDependencies: Plugin = {
  name: 'external-dependencies',
  setup(context) {
    context.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@paperboy/') ? undefined : { path: args.path, external: true },
    );
  },
};

// The benchmark rebuilds with --skip-typecheck: it measures the bundle, and CI typechecks anyway.
if (!process.argv.includes('--skip-typecheck')) {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], { stdio: 'inherit' });
}

const entries = [
  { entry: 'services/api/src/server.ts', outfile: 'services/api/dist/server.js' },
  { entry: 'services/worker/src/main.ts', outfile: 'services/worker/dist/main.js' },
  { entry: 'services/worker/src/healthcheck.ts', outfile: 'services/worker/dist/healthcheck.js' },
  // One-shot tasks the containers run before the services start.
  { entry: 'packages/db/src/migrate.cli.ts', outfile: 'services/api/dist/migrate.js' },
  { entry: 'scripts/seed.ts', outfile: 'services/api/dist/seed.js' },
];
for (const { entry, outfile } of entries) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    plugins: [externalDependencies],
    logLevel: 'warning',
  });
  process.stdout.write(`built ${outfile}\n`);
}
