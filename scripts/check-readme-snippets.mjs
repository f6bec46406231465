// README type test: every ```ts snippet of README.md compiles with `tsc` under the settings a new
// project has (`crystallize init`: strict, legacy decorators), with no `as` cast and no `any`.
// A snippet the check cannot compile on purpose is marked on the line before its fence:
// `<!-- typecheck:skip reason -->` (a reason is required).
//
// Snippets are fragments, so each one is compiled as its own module with a prelude that imports
// every export of `crystallize` it does not import or declare itself, plus the names the README
// leaves to the reader (`result`, `exp`, `ApplyDose`, ...) from scripts/readme-snippets/context.ts.
// The snippet modules are virtual (in memory), placed in packages/crystallize so that packages
// resolve as they do for a user; `crystallize` and `@crystallize/*` map to their sources.
//
//   node scripts/check-readme-snippets.mjs [--readme FILE] [--keep DIR]
//   --keep DIR   also write the compiled snippet modules (with their prelude) to DIR, to debug
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const readmePath = resolve(opt('--readme') ?? join(repo, 'README.md'));
const keep = opt('--keep');
const shownReadme = relative(process.cwd(), readmePath) || readmePath;

/** ```ts blocks: { line (1-based, first code line), code, skip } */
function extractSnippets(text) {
  const lines = text.split('\n');
  const snippets = [];
  const problems = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, lang] = open;
    let end = i + 1;
    while (end < lines.length && !new RegExp(`^${indent}\`\`\`\\s*$`).test(lines[end])) end++;
    if (lang === 'ts' || lang === 'typescript') {
      let prev = i - 1;
      while (prev >= 0 && lines[prev].trim() === '') prev--;
      const marker = prev >= 0 ? /<!--\s*typecheck:skip\b(.*?)-->/.exec(lines[prev]) : null;
      if (marker && marker[1].trim() === '') {
        problems.push(
          `${shownReadme}:${prev + 1}:1 typecheck:skip needs a reason: <!-- typecheck:skip why -->`,
        );
      }
      snippets.push({
        line: i + 2,
        code: lines
          .slice(i + 1, end)
          .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
          .join('\n'),
        indent: indent.length,
        skip: marker ? marker[1].trim() || 'no reason' : undefined,
      });
    }
    i = end;
  }
  return { snippets, problems };
}

/** Names a snippet imports or declares at its top level (the prelude must not import them). */
function ownNames(code) {
  const sf = ts.createSourceFile('s.ts', code, ts.ScriptTarget.ES2022, true);
  const names = new Set();
  const bind = (name) => {
    if (!name) return;
    if (ts.isIdentifier(name)) names.add(name.text);
    else if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name))
      for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && st.importClause) {
      bind(st.importClause.name);
      const nb = st.importClause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) bind(nb.name);
      if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) bind(el.name);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) bind(d.name);
    } else if (
      ts.isClassDeclaration(st) ||
      ts.isFunctionDeclaration(st) ||
      ts.isInterfaceDeclaration(st) ||
      ts.isTypeAliasDeclaration(st) ||
      ts.isEnumDeclaration(st)
    ) {
      bind(st.name);
    }
  }
  return names;
}

const options = {
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2023.d.ts'],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  noEmit: true,
  types: ['node', 'jest'],
  typeRoots: [join(repo, 'node_modules', '@types')],
  baseUrl: repo,
  paths: {
    crystallize: ['./packages/crystallize/src/index.ts'],
    'crystallize/testing': ['./packages/crystallize/src/testing/index.ts'],
    '@crystallize/*/internal': ['./packages/*/src/internal.ts'],
    '@crystallize/*': ['./packages/*/src/index.ts'],
  },
};

const contextFile = join(repo, 'scripts', 'readme-snippets', 'context.ts');
const virtualDir = join(repo, 'packages', 'crystallize', '.readme-snippets');

/** The export names of a module, from a program over it. */
function exportNames(file) {
  const program = ts.createProgram([file], options);
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile(file);
  const symbol = sf && checker.getSymbolAtLocation(sf);
  return symbol ? checker.getExportsOfModule(symbol).map((s) => s.name) : [];
}

const { snippets, problems } = extractSnippets(readFileSync(readmePath, 'utf8'));
const crystallizeNames = exportNames(join(repo, 'packages', 'crystallize', 'src', 'index.ts'));
const contextNames = exportNames(contextFile);
const contextImport = relative(virtualDir, contextFile)
  .split('\\')
  .join('/')
  .replace(/\.ts$/, '.js');

const files = new Map(); // virtual path -> { text, snippet, preludeLines }
snippets.forEach((s, n) => {
  if (s.skip) return;
  const own = ownNames(s.code);
  const fromCrystallize = crystallizeNames.filter((x) => !own.has(x));
  const fromContext = contextNames.filter((x) => !own.has(x) && !crystallizeNames.includes(x));
  const prelude = [
    fromCrystallize.length ? `import { ${fromCrystallize.join(', ')} } from 'crystallize';` : '',
    fromContext.length ? `import { ${fromContext.join(', ')} } from '${contextImport}';` : '',
    'export {};',
  ];
  const path = join(virtualDir, `snippet-${String(n + 1).padStart(2, '0')}-line-${s.line}.ts`);
  files.set(path, {
    text: `${prelude.join('\n')}\n${s.code}\n`,
    snippet: s,
    preludeLines: prelude.length,
  });
});

const host = ts.createCompilerHost(options);
const baseGetSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (name, lang, onError, create) => {
  const v = files.get(resolve(name));
  return v
    ? ts.createSourceFile(name, v.text, lang)
    : baseGetSourceFile(name, lang, onError, create);
};
const baseFileExists = host.fileExists.bind(host);
host.fileExists = (name) => files.has(resolve(name)) || baseFileExists(name);
const baseReadFile = host.readFile.bind(host);
host.readFile = (name) => files.get(resolve(name))?.text ?? baseReadFile(name);

const program = ts.createProgram([...files.keys()], options, host);

/** README position of a position in a virtual snippet file (undefined inside the prelude). */
function where(file, pos) {
  const v = files.get(resolve(file.fileName));
  const { line, character } = file.getLineAndCharacterOfPosition(pos);
  const l = line - v.preludeLines;
  return `${shownReadme}:${v.snippet.line + l}:${character + 1 + v.snippet.indent}`;
}

for (const [path] of files) {
  const sf = program.getSourceFile(path);
  const visit = (node) => {
    if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) {
      const isConst =
        ts.isTypeReferenceNode(node.type) && node.type.typeName.getText(sf) === 'const';
      if (!isConst)
        problems.push(
          `${where(sf, node.getStart(sf))} a cast (\`${node.getText(sf)}\`): README snippets must type-check without \`as\``,
        );
    }
    if (node.kind === ts.SyntaxKind.AnyKeyword)
      problems.push(`${where(sf, node.getStart(sf))} \`any\`: README snippets must not use it`);
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

for (const d of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
  if (d.file && files.has(resolve(d.file.fileName))) {
    problems.push(`${where(d.file, d.start ?? 0)} TS${d.code}: ${message}`);
  } else {
    const at = d.file ? `${relative(repo, d.file.fileName)}: ` : '';
    problems.push(`${at}TS${d.code}: ${message}`);
  }
}

if (keep) {
  mkdirSync(keep, { recursive: true });
  for (const [path, v] of files) writeFileSync(join(keep, relative(virtualDir, path)), v.text);
}

const skipped = snippets.filter((s) => s.skip);
const summary = `${files.size} README snippet(s) type-checked, ${skipped.length} skipped${
  skipped.length ? ` (${skipped.map((s) => `line ${s.line}: ${s.skip}`).join('; ')})` : ''
}`;
if (problems.length) {
  process.stderr.write(`${problems.join('\n')}\n\n${problems.length} problem(s); ${summary}\n`);
  process.exit(1);
}
process.stdout.write(`${summary}\n`);
