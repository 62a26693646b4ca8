/**
 * Compiles the syntax tree into nested closures, once. Each node becomes a closure specialised for what
 * is known at compile time (constants folded, literals captured, field chains read directly), so
 * evaluation does no dispatch on node kinds and allocates nothing on the common paths.
 */

import {
  hasField,
  indexConstKey,
  indexValue,
  type MissingField,
  missingField,
  type Root,
  readRoot,
  selectField,
  selectFromVar,
} from "./access.js";
import { compileArithmetic, compileNegate, compileNot } from "./arithmetic.js";
import type { Node } from "./ast.js";
import { type Compiled, constant, dynamic, type FunctionDef, fold, strictCall } from "./compiled.js";
import { ExprError, fail } from "./errors.js";
import { GLOBAL_FUNCTIONS, METHODS, unknownFunction, unknownMethod } from "./functions.js";
import { compileMacro, MACROS } from "./macros.js";
import { keyString, rememberKeys } from "./map-keys.js";
import {
  compileConditional,
  compileEquality,
  compileIn,
  compileLogical,
  compileRelation,
} from "./operators.js";
import { type Eval, typeName } from "./values.js";

/** A host function: called with error-free argument values; returns a value or an ExprError. */
export type ExtraFunction = (...args: unknown[]) => unknown;

export interface CompilerOptions {
  readonly selfNames: ReadonlySet<string>;
  readonly functions: ReadonlyMap<string, ExtraFunction>;
}

export class Compiler {
  private readonly options: CompilerOptions;
  /** Comprehension variables of this program, one slot each. */
  private readonly slots: unknown[] = [];
  private readonly scopes: Map<string, number>[] = [];

  constructor(options: CompilerOptions) {
    this.options = options;
  }

  compile(node: Node): Compiled {
    switch (node.kind) {
      case "literal":
        return constant(node.value, node.type === "null" ? "null" : node.type, node.offset);
      case "ident":
        return dynamic(readRoot(this.root(node.name, node.absolute)), "dyn", node.offset);
      case "select":
        return this.compileSelect(node.operand, node.field, node.offset);
      case "index":
        return this.compileIndex(node.operand, node.index, node.offset);
      case "call":
        return node.target === undefined
          ? this.compileGlobalCall(node.name, node.args, node.offset)
          : this.compileMethodCall(node.name, node.target, node.args, node.offset);
      case "list":
        return this.compileList(
          node.elements.map((e) => this.compile(e)),
          node.offset,
        );
      case "map":
        return this.compileMap(node, node.offset);
      case "unary": {
        const operand = this.compile(node.operand);
        return node.op === "!" ? compileNot(operand, node.offset) : compileNegate(operand, node.offset);
      }
      case "binary":
        return this.compileBinary(node);
      case "logical":
        return compileLogical(
          node.op,
          node.args.map((a) => this.compile(a)),
          node.offset,
        );
      case "conditional":
        return compileConditional(
          this.compile(node.cond),
          this.compile(node.then),
          this.compile(node.otherwise),
          node.offset,
        );
    }
  }

  private root(name: string, absolute: boolean): Root {
    if (!absolute) {
      for (let i = this.scopes.length - 1; i >= 0; i--) {
        const slot = this.scopes[i]?.get(name);
        if (slot !== undefined) return { kind: "slot", slots: this.slots, index: slot };
      }
    }
    return { kind: "var", name, self: this.options.selfNames.has(name) };
  }

  /** The variable a field chain starts from, and the chain's fields, for "no such attribute" messages. */
  private chain(node: Node): { root: Root | undefined; fields: string[] } {
    if (node.kind === "ident") return { root: this.root(node.name, node.absolute), fields: [] };
    if (node.kind === "select") {
      const inner = this.chain(node.operand);
      return { root: inner.root, fields: [...inner.fields, node.field] };
    }
    return { root: undefined, fields: [] };
  }

  private compileSelect(operandNode: Node, field: string, offset: number): Compiled {
    const operand = this.compile(operandNode);
    const { root, fields } = this.chain(operandNode);
    const missing: MissingField = missingField(root, [...fields, field]);
    const direct =
      root !== undefined && operandNode.kind === "ident" ? selectFromVar(root, field, missing) : undefined;
    return fold(dynamic(direct ?? selectField(operand.eval, field, missing), "dyn", offset), [operand]);
  }

  private compileIndex(operandNode: Node, indexNode: Node, offset: number): Compiled {
    const operand = this.compile(operandNode);
    const index = this.compile(indexNode);
    if (index.isConst && typeof index.value === "string") {
      return fold(dynamic(indexConstKey(operand.eval, index.value), "dyn", offset), [operand]);
    }
    const [eo, ei] = [operand.eval, index.eval];
    return fold(
      dynamic((v, e) => indexValue(eo(v, e), ei(v, e)), "dyn", offset),
      [operand, index],
    );
  }

  private compileList(elements: readonly Compiled[], offset: number): Compiled {
    const evals = elements.map((e) => e.eval);
    const n = evals.length;
    const node = dynamic(
      (v, e) => {
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const f = evals[i];
          const x = f === undefined ? undefined : f(v, e);
          if (x instanceof ExprError) return x;
          out[i] = x;
        }
        return out;
      },
      "list",
      offset,
    );
    return fold(node, elements);
  }

  private compileMap(node: Extract<Node, { kind: "map" }>, offset: number): Compiled {
    const keys: Compiled[] = [];
    const values: Compiled[] = [];
    const pairs: (readonly [Eval, Eval])[] = [];
    for (const entry of node.entries) {
      const k = this.compile(entry.key);
      const x = this.compile(entry.value);
      keys.push(k);
      values.push(x);
      pairs.push([k.eval, x.eval]);
    }
    const seen = new Set<string>();
    for (const k of keys) {
      if (!k.isConst || k.value instanceof ExprError) continue;
      const key = k.type === "double" ? undefined : keyString(k.value);
      if (key === undefined)
        fail(badKeyMessage(k.type === "double" ? "double" : typeName(k.value)), k.offset);
      if (seen.has(key)) fail(`duplicate map key ${showKey(k.value)}`, k.offset);
      seen.add(key);
    }
    const stringKeys = keys.every((k) => k.isConst && typeof k.value === "string");
    const result = dynamic(
      (v, e) => {
        const out: Record<string, unknown> = Object.create(null);
        const written: unknown[] | undefined = stringKeys ? undefined : [];
        for (const [ek, ev] of pairs) {
          const k = ek(v, e);
          if (k instanceof ExprError) return k;
          const key = keyString(k);
          if (key === undefined) return new ExprError("invalid_argument", badKeyMessage(typeName(k)));
          if (Object.hasOwn(out, key)) {
            return new ExprError("invalid_argument", `duplicate map key ${showKey(k)}`);
          }
          const x = ev(v, e);
          if (x instanceof ExprError) return x;
          out[key] = x;
          written?.push(k);
        }
        if (written !== undefined) rememberKeys(out, written);
        return out;
      },
      "map",
      offset,
    );
    return fold(result, [...keys, ...values]);
  }

  private compileBinary(node: Extract<Node, { kind: "binary" }>): Compiled {
    const left = this.compile(node.left);
    const right = this.compile(node.right);
    const { op, offset } = node;
    switch (op) {
      case "==":
      case "!=":
        return compileEquality(op, left, right, offset);
      case "<":
      case "<=":
      case ">":
      case ">=":
        return compileRelation(op, left, right, offset);
      case "in":
        return compileIn(left, right, offset);
      default:
        return compileArithmetic(op, left, right, offset);
    }
  }

  private compileGlobalCall(name: string, argNodes: readonly Node[], offset: number): Compiled {
    if (name === "has") return this.compileHas(argNodes, offset);
    const extra = this.options.functions.get(name);
    if (extra !== undefined) {
      // Host functions may be impure (a clock, a lookup), so they are never folded.
      if (argNodes.length === 0) return dynamic(() => extra(), "dyn", offset);
      const args = argNodes.map((a) => {
        const c = this.compile(a);
        return dynamic(c.eval, c.type, c.offset);
      });
      return strictCall(extra, args, "dyn", offset);
    }
    const def = GLOBAL_FUNCTIONS.get(name);
    if (def === undefined) return unknownFunction(name, offset, [...this.options.functions.keys()]);
    checkArity(name, def, argNodes.length, false, offset);
    return def.compile(
      argNodes.map((a) => this.compile(a)),
      offset,
    );
  }

  private compileMethodCall(
    name: string,
    targetNode: Node,
    argNodes: readonly Node[],
    offset: number,
  ): Compiled {
    const arities = MACROS.get(name);
    if (arities?.includes(argNodes.length)) {
      return this.compileComprehension(name, targetNode, argNodes, offset);
    }
    const def = METHODS.get(name);
    if (def === undefined) return unknownMethod(name, offset);
    checkArity(name, def, argNodes.length + 1, true, offset);
    return def.compile([this.compile(targetNode), ...argNodes.map((a) => this.compile(a))], offset);
  }

  private compileHas(argNodes: readonly Node[], offset: number): Compiled {
    const [arg] = argNodes;
    if (argNodes.length !== 1 || arg === undefined || arg.kind !== "select") {
      return fail("has() takes one field selection, e.g. has(user.email)", arg?.offset ?? offset);
    }
    const operand = this.compile(arg.operand);
    return fold(dynamic(hasField(operand.eval, arg.field), "bool", offset), [operand]);
  }

  private compileComprehension(
    name: string,
    targetNode: Node,
    argNodes: readonly Node[],
    offset: number,
  ): Compiled {
    const [variable, ...bodies] = argNodes;
    if (variable === undefined || variable.kind !== "ident" || variable.absolute) {
      return fail(
        `${name}() takes a variable name first, e.g. list.${name}(x, x > 0)`,
        variable?.offset ?? offset,
      );
    }
    const range = this.compile(targetNode);
    const slot = this.slots.length;
    this.slots.push(undefined);
    this.scopes.push(new Map([[variable.name, slot]]));
    const compiled = bodies.map((b) => this.compile(b));
    this.scopes.pop();
    return compileMacro(name, range, this.slots, slot, compiled, offset);
  }
}

function badKeyMessage(type: string): string {
  return `map keys must be int, uint, bool or string, not ${type}`;
}

function showKey(key: unknown): string {
  return typeof key === "string" ? `'${key}'` : String(key);
}

function checkArity(name: string, def: FunctionDef, count: number, method: boolean, offset: number): void {
  if (def.arities.includes(count)) return;
  const shift = method ? 1 : 0;
  const allowed = def.arities.map((n) => n - shift);
  const expected =
    allowed.length === 1
      ? `${allowed[0]}`
      : `${allowed.slice(0, -1).join(", ")} or ${allowed[allowed.length - 1]}`;
  const plural = allowed.length === 1 && allowed[0] === 1 ? "argument" : "arguments";
  fail(
    `${method ? "method" : "function"} '${name}' takes ${expected} ${plural}, not ${count - shift}`,
    offset,
  );
}
