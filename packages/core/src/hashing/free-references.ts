// One cohesive algorithm, kept in one file on purpose: free-identifier analysis (scopes,
// declarations, references) over a function's syntax tree.
/*
 * The names a piece of code reads from the scope around it. A step's code fingerprint follows
 * these names to the module-level functions, classes and constants they denote. Works on ESTree
 * trees (acorn, and @babel/parser with its `estree` plugin) including TypeScript nodes: type
 * positions never count as references, since types do not run.
 */

/** A syntax tree node, of either parser. */
export interface AstNode {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** A name read from the enclosing scope; `member` when it is read as `name.member`. */
export interface FreeReference {
  readonly name: string;
  readonly member?: string;
}

/** Keys holding TypeScript type syntax, or nothing that runs. */
export const TYPE_KEYS: ReadonlySet<string> = new Set([
  'typeAnnotation',
  'returnType',
  'typeParameters',
  'typeArguments',
  'superTypeParameters',
  'superTypeArguments',
  'implements',
  'predicate',
]);

/** TypeScript nodes that hold or are values (the rest are types). */
export const TS_VALUE_NODES: ReadonlySet<string> = new Set([
  'TSAsExpression',
  'TSSatisfiesExpression',
  'TSNonNullExpression',
  'TSTypeAssertion',
  'TSInstantiationExpression',
  'TSParameterProperty',
  'TSEnumDeclaration',
  'TSEnumBody',
  'TSEnumMember',
  'TSModuleDeclaration',
  'TSModuleBlock',
  'TSExportAssignment',
]);

const FUNCTIONS = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ObjectMethod',
  'ClassMethod',
  'ClassPrivateMethod',
]);

const NO_REFERENCES = new Set([
  'MetaProperty',
  'PrivateIdentifier',
  'PrivateName',
  'Super',
  'ThisExpression',
  'Import',
  'BreakStatement',
  'ContinueStatement',
  'ImportDeclaration',
  'ExportAllDeclaration',
  'TSImportEqualsDeclaration',
  'TSDeclareFunction',
  'TSDeclareMethod',
  'Literal',
  'StringLiteral',
  'NumericLiteral',
  'BigIntLiteral',
  'BooleanLiteral',
  'NullLiteral',
  'RegExpLiteral',
  'TemplateElement',
]);

export function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string';
}

function children(value: unknown): AstNode[] {
  if (Array.isArray(value)) return value.filter(isNode);
  return isNode(value) ? [value] : [];
}

class Scope {
  readonly names = new Set<string>();
  constructor(readonly parent?: Scope) {}
  has(name: string): boolean {
    return this.names.has(name) || (this.parent?.has(name) ?? false);
  }
}

/** The names a binding pattern (`a`, `{ a, b: [c] }`, `d = 1`, `...e`) declares. */
export function bindingNames(pattern: unknown, out: string[] = []): string[] {
  if (!isNode(pattern)) return out;
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern['name'] as string);
      break;
    case 'ObjectPattern':
      for (const p of children(pattern['properties'])) {
        bindingNames(p.type === 'RestElement' ? p['argument'] : p['value'], out);
      }
      break;
    case 'ArrayPattern':
      for (const e of children(pattern['elements'])) bindingNames(e, out);
      break;
    case 'AssignmentPattern':
      bindingNames(pattern['left'], out);
      break;
    case 'RestElement':
      bindingNames(pattern['argument'], out);
      break;
    case 'TSParameterProperty':
      bindingNames(pattern['parameter'], out);
      break;
  }
  return out;
}

/** A declaration statement's node, looking through `export` wrappers. */
function declarationOf(stmt: AstNode): AstNode {
  if (
    (stmt.type === 'ExportNamedDeclaration' || stmt.type === 'ExportDefaultDeclaration') &&
    isNode(stmt['declaration'])
  ) {
    return stmt['declaration'];
  }
  return stmt;
}

/** Names that `let`/`const`/`class`/`function`/`enum` statements directly in a block declare. */
function declareLexical(statements: AstNode[], scope: Scope): void {
  for (const raw of statements) {
    const stmt = declarationOf(raw);
    if (stmt['declare'] === true) continue;
    if (stmt.type === 'VariableDeclaration') {
      for (const d of children(stmt['declarations'])) {
        for (const n of bindingNames(d['id'])) scope.names.add(n);
      }
    } else if (
      (stmt.type === 'FunctionDeclaration' ||
        stmt.type === 'ClassDeclaration' ||
        stmt.type === 'TSEnumDeclaration' ||
        stmt.type === 'TSModuleDeclaration') &&
      isNode(stmt['id']) &&
      stmt['id'].type === 'Identifier'
    ) {
      scope.names.add(stmt['id']['name'] as string);
    }
  }
}

/** `var` declarations anywhere in a function body (they are function-scoped). */
function hoistVars(node: unknown, scope: Scope): void {
  for (const child of children(node)) {
    if (FUNCTIONS.has(child.type) || child.type === 'ClassBody') continue;
    if (child.type === 'VariableDeclaration' && child['kind'] === 'var') {
      for (const d of children(child['declarations'])) {
        for (const n of bindingNames(d['id'])) scope.names.add(n);
      }
    }
    for (const key of Object.keys(child)) {
      if (key !== 'type' && !TYPE_KEYS.has(key)) hoistVars(child[key], scope);
    }
  }
}

class Collector {
  readonly refs: FreeReference[] = [];

  visit(node: unknown, scope: Scope): void {
    for (const n of children(node)) this.visitNode(n, scope);
  }

  private visitNode(node: AstNode, scope: Scope): void {
    const t = node.type;
    if (NO_REFERENCES.has(t)) return;
    if (t.startsWith('TS') && !TS_VALUE_NODES.has(t)) return;
    if (node['declare'] === true) return;
    if (FUNCTIONS.has(t)) {
      if (node['computed'] === true) this.visit(node['key'], scope);
      this.visit(node['decorators'], scope);
      this.visitFunction(node, scope);
      return;
    }
    switch (t) {
      case 'Identifier':
        if (!scope.has(node['name'] as string)) this.refs.push({ name: node['name'] as string });
        return;
      case 'MemberExpression':
      case 'OptionalMemberExpression': {
        const object = node['object'];
        const property = node['property'];
        if (
          isNode(object) &&
          object.type === 'Identifier' &&
          node['computed'] !== true &&
          isNode(property) &&
          property.type === 'Identifier'
        ) {
          const name = object['name'] as string;
          if (!scope.has(name)) this.refs.push({ name, member: property['name'] as string });
        } else {
          this.visit(object, scope);
        }
        if (node['computed'] === true) this.visit(property, scope);
        return;
      }
      case 'Property':
      case 'ObjectProperty':
      case 'MethodDefinition':
      case 'PropertyDefinition':
      case 'ClassProperty':
      case 'ClassPrivateProperty':
      case 'ClassAccessorProperty':
      case 'AccessorProperty':
      case 'TSAbstractMethodDefinition':
      case 'TSAbstractPropertyDefinition':
        this.visit(node['decorators'], scope);
        if (node['computed'] === true) this.visit(node['key'], scope);
        this.visit(node['value'], scope);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression': {
        const inner = new Scope(scope);
        const id = node['id'];
        if (isNode(id) && id.type === 'Identifier') inner.names.add(id['name'] as string);
        this.visit(node['decorators'], scope);
        this.visit(node['superClass'], inner);
        this.visit(node['body'], inner);
        return;
      }
      case 'VariableDeclarator':
        this.visitPattern(node['id'], scope);
        this.visit(node['init'], scope);
        return;
      case 'Program':
      case 'BlockStatement':
      case 'StaticBlock':
      case 'TSModuleBlock': {
        const inner = new Scope(scope);
        const body = children(node['body']);
        declareLexical(body, inner);
        this.visit(body, inner);
        return;
      }
      case 'SwitchStatement': {
        this.visit(node['discriminant'], scope);
        const inner = new Scope(scope);
        const cases = children(node['cases']);
        for (const c of cases) declareLexical(children(c['consequent']), inner);
        this.visit(cases, inner);
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const inner = new Scope(scope);
        const head = node['init'] ?? node['left'];
        if (isNode(head) && head.type === 'VariableDeclaration') declareLexical([head], inner);
        for (const key of ['init', 'left', 'test', 'update', 'right', 'body']) {
          this.visit(node[key], inner);
        }
        return;
      }
      case 'CatchClause': {
        const inner = new Scope(scope);
        for (const n of bindingNames(node['param'])) inner.names.add(n);
        this.visitPattern(node['param'], inner);
        this.visit(node['body'], inner);
        return;
      }
      case 'LabeledStatement':
        this.visit(node['body'], scope);
        return;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
        this.visit(node['declaration'], scope);
        return;
      case 'TSEnumMember':
        this.visit(node['initializer'], scope);
        return;
      case 'TSEnumDeclaration': {
        const inner = new Scope(scope);
        const members = children(node['members'] ?? (node['body'] as AstNode)?.['members']);
        for (const m of members) {
          const id = m['id'];
          if (isNode(id) && id.type === 'Identifier') inner.names.add(id['name'] as string);
        }
        this.visit(members, inner);
        return;
      }
      case 'TSModuleDeclaration':
        this.visit(node['body'], scope);
        return;
      case 'TSParameterProperty':
        this.visitPattern(node['parameter'], scope);
        return;
    }
    for (const key of Object.keys(node)) {
      if (key === 'type' || TYPE_KEYS.has(key)) continue;
      this.visit(node[key], scope);
    }
  }

  private visitFunction(node: AstNode, outer: Scope): void {
    const scope = new Scope(outer);
    const id = node['id'];
    if (node.type === 'FunctionExpression' && isNode(id)) scope.names.add(id['name'] as string);
    scope.names.add('arguments');
    const params = children(node['params']);
    for (const p of params) for (const n of bindingNames(p)) scope.names.add(n);
    const body = node['body'];
    hoistVars(isNode(body) ? body['body'] : undefined, scope);
    for (const p of params) this.visitPattern(p, scope);
    this.visit(body, scope);
  }

  /** A binding pattern: its names are declarations; defaults and computed keys are code. */
  private visitPattern(pattern: unknown, scope: Scope): void {
    if (!isNode(pattern)) return;
    this.visit(pattern['decorators'], scope);
    switch (pattern.type) {
      case 'Identifier':
        return;
      case 'ObjectPattern':
        for (const p of children(pattern['properties'])) {
          if (p.type === 'RestElement') this.visitPattern(p['argument'], scope);
          else {
            if (p['computed'] === true) this.visit(p['key'], scope);
            this.visitPattern(p['value'], scope);
          }
        }
        return;
      case 'ArrayPattern':
        for (const e of children(pattern['elements'])) this.visitPattern(e, scope);
        return;
      case 'AssignmentPattern':
        this.visitPattern(pattern['left'], scope);
        this.visit(pattern['right'], scope);
        return;
      case 'RestElement':
        this.visitPattern(pattern['argument'], scope);
        return;
      case 'TSParameterProperty':
        this.visitPattern(pattern['parameter'], scope);
        return;
      default:
        // An assignment target such as `obj.x` in `for (obj.x of xs)`.
        this.visit(pattern, scope);
    }
  }
}

/**
 * The free references of `node`: names it reads that it does not declare itself, each once per
 * (name, member) pair, in source order. `declared` names count as bound.
 */
export function freeReferences(node: AstNode, declared: Iterable<string> = []): FreeReference[] {
  const scope = new Scope();
  for (const n of declared) scope.names.add(n);
  const collector = new Collector();
  collector.visit(node, scope);
  const seen = new Set<string>();
  return collector.refs.filter((r) => {
    const key = `${r.name}\0${r.member ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
