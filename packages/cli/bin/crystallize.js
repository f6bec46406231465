#!/usr/bin/env node
// The `crystallize` bin. It lives outside dist/ so that `pnpm install` can link it before the
// first build (a bin whose file is missing at install time is not linked); the command is
// compiled to dist/.
try {
  await import('../dist/bin.js');
} catch (e) {
  if (e?.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/bin.js')) {
    process.stderr.write(
      'crystallize: @crystallize/cli is not built yet (no dist/bin.js). Build it first: pnpm build\n',
    );
    process.exitCode = 2;
  } else throw e;
}
