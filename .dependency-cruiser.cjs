// The dependency rule of docs/architecture.md, checked by `npm run check`
// (scripts/check-dependencies.ts runs dependency-cruiser with this file and adds the
// folder-cycle check it cannot express).
const FEATURES =
  '(admin|audit|auth|auto-close|channels|customers|entities|events|extended-fields|idempotency|leads|orgs|rate-limit|reasons|sub-statuses|webhooks)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A module never reaches itself through its imports.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-stands-alone',
      comment: 'The service never imports the tests, the scripts or their toolbox.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|scripts|toolbox)/' },
    },
    {
      name: 'db-is-the-bottom',
      comment: 'db/ knows tables and dialects, nothing of the rules above it.',
      severity: 'error',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: '^src/db/' },
    },
    {
      name: 'core-imports-core-and-db',
      comment:
        'core/ is framework-free shared vocabulary: errors, caller, actor, clock, config, context.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/(core|db)/' },
    },
    {
      name: 'http-imports-core-and-db',
      comment: 'http/ only wires Fastify: no rules, no SQL, no feature.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/', pathNot: '^src/(core|db|http)/' },
    },
    {
      name: 'features-never-import-upward',
      comment:
        'A feature imports core/, db/, http/ and other features, never the app (app.ts, server.ts, cli/, seed/, demo/).',
      severity: 'error',
      from: { path: `^src/${FEATURES}/` },
      to: { path: '^src/', pathNot: `^src/(core|db|http|${FEATURES.slice(1, -1)})/` },
    },
    {
      name: 'features-meet-at-their-index',
      comment:
        "A feature uses another feature only through that feature's index.ts, never its internals.",
      severity: 'error',
      from: { path: `^src/${FEATURES}/` },
      to: { path: `^src/${FEATURES}/`, pathNot: ['^src/$1/', `^src/${FEATURES}/index\\.ts$`] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
