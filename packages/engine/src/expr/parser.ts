/**
 * Recursive-descent parser for CEL with the spec's precedence. Nesting is bounded (`MAX_DEPTH`) so a
 * hostile expression fails with a diagnostic instead of overflowing the stack while parsing,
 * compiling or evaluating.
 */

import type { BinaryOp, MapEntry, Node } from "./ast.js";
import { fail } from "./errors.js";
import { type Token, tokenize } from "./lexer.js";

/** Deepest allowed nesting of the syntax tree (parentheses, operands, calls, member chains). */
export const MAX_DEPTH = 100;

/** CEL's reserved words: never names (exported so code that writes CEL can avoid them). */
export const RESERVED: ReadonlySet<string> = new Set([
  "as",
  "break",
  "const",
  "continue",
  "else",
  "for",
  "function",
  "if",
  "import",
  "let",
  "loop",
  "package",
  "namespace",
  "return",
  "var",
  "void",
  "while",
]);

/** CEL's keywords that look like names. */
export const KEYWORDS: ReadonlySet<string> = new Set(["in", "true", "false", "null"]);

const RELATIONS = new Set(["==", "!=", "<", "<=", ">", ">="]);

export function parse(source: string): Node {
  return new Parser(tokenize(source)).parseRoot();
}

class Parser {
  private readonly tokens: readonly Token[];
  private pos = 0;
  private nesting = 0;
  private readonly depths = new WeakMap<Node, number>();

  constructor(tokens: readonly Token[]) {
    this.tokens = tokens;
  }

  parseRoot(): Node {
    const node = this.parseExpr();
    const t = this.peek();
    if (t.kind !== "eof") fail(`unexpected ${describe(t)} after the end of the expression`, t.offset);
    return node;
  }

  private peek(): Token {
    const t = this.tokens[this.pos] ?? this.tokens[this.tokens.length - 1];
    if (t === undefined) return { kind: "eof", text: "", num: 0, offset: 0 };
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === "op" && t.text === text;
  }

  private accept(text: string): boolean {
    if (!this.isOp(text)) return false;
    this.pos++;
    return true;
  }

  private expect(text: string, context: string): Token {
    const t = this.peek();
    if (t.kind !== "op" || t.text !== text)
      fail(`expected '${text}' ${context} but found ${describe(t)}`, t.offset);
    return this.next();
  }

  /** Records a node's depth, failing once the tree grows deeper than `MAX_DEPTH`. */
  private mk(node: Node, ...children: readonly Node[]): Node {
    let depth = 0;
    for (const c of children) depth = Math.max(depth, this.depths.get(c) ?? 0);
    if (depth + 1 > MAX_DEPTH) tooDeep(node.offset);
    this.depths.set(node, depth + 1);
    return node;
  }

  private parseExpr(): Node {
    const t = this.peek();
    if (++this.nesting > MAX_DEPTH) tooDeep(t.offset);
    const cond = this.parseOr();
    let result = cond;
    const q = this.peek();
    if (this.accept("?")) {
      const then = this.parseOr();
      this.expect(":", "in a conditional 'c ? a : b'");
      const otherwise = this.parseExpr();
      result = this.mk(
        { kind: "conditional", cond, then, otherwise, offset: q.offset },
        cond,
        then,
        otherwise,
      );
    }
    this.nesting--;
    return result;
  }

  private parseLogical(op: "&&" | "||", operand: () => Node): Node {
    const first = operand();
    if (!this.isOp(op)) return first;
    const offset = this.peek().offset;
    const args = [first];
    while (this.accept(op)) args.push(operand());
    return this.mk({ kind: "logical", op, args, offset }, ...args);
  }

  private parseOr(): Node {
    return this.parseLogical("||", () => this.parseAnd());
  }

  private parseAnd(): Node {
    return this.parseLogical("&&", () => this.parseRelation());
  }

  private parseRelation(): Node {
    let left = this.parseAddition();
    for (;;) {
      const t = this.peek();
      const isIn = t.kind === "ident" && t.text === "in";
      if (!isIn && !(t.kind === "op" && RELATIONS.has(t.text))) return left;
      this.next();
      const right = this.parseAddition();
      left = this.binary(t.text as BinaryOp, left, right, t.offset);
    }
  }

  private parseAddition(): Node {
    let left = this.parseMultiplication();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "op" || (t.text !== "+" && t.text !== "-")) return left;
      this.next();
      left = this.binary(t.text, left, this.parseMultiplication(), t.offset);
    }
  }

  private parseMultiplication(): Node {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "op" || (t.text !== "*" && t.text !== "/" && t.text !== "%")) return left;
      this.next();
      left = this.binary(t.text, left, this.parseUnary(), t.offset);
    }
  }

  private binary(op: BinaryOp, left: Node, right: Node, offset: number): Node {
    return this.mk({ kind: "binary", op, left, right, offset }, left, right);
  }

  private parseUnary(): Node {
    const ops: Token[] = [];
    while (this.isOp("!") || this.isOp("-")) ops.push(this.next());
    let node = this.parseMember();
    for (let i = ops.length - 1; i >= 0; i--) {
      const t = ops[i];
      if (t === undefined) continue;
      const op = t.text === "!" ? "!" : "-";
      node = this.mk({ kind: "unary", op, operand: node, offset: t.offset }, node);
    }
    return node;
  }

  private parseMember(): Node {
    let node = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (this.accept(".")) {
        const name = this.next();
        if (name.kind !== "ident") {
          fail(`expected a field or method name after '.' but found ${describe(name)}`, name.offset);
        }
        if (RESERVED.has(name.text) || KEYWORDS.has(name.text)) {
          fail(
            `'${name.text}' is a reserved word and cannot follow '.'; write ["${name.text}"] instead`,
            name.offset,
          );
        }
        if (this.accept("(")) {
          const args = this.parseList(")", "to close the argument list");
          node = this.mk(
            { kind: "call", name: name.text, target: node, args, offset: name.offset },
            node,
            ...args,
          );
        } else {
          node = this.mk({ kind: "select", operand: node, field: name.text, offset: name.offset }, node);
        }
      } else if (this.accept("[")) {
        const index = this.parseExpr();
        this.expect("]", "to close the index");
        node = this.mk({ kind: "index", operand: node, index, offset: t.offset }, node, index);
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): Node {
    const t = this.next();
    switch (t.kind) {
      case "int":
      case "uint":
      case "double":
        return this.mk({ kind: "literal", type: t.kind, value: t.num, offset: t.offset });
      case "string":
        return this.mk({ kind: "literal", type: "string", value: t.text, offset: t.offset });
      case "ident":
        return this.parseIdent(t, false);
      case "eof":
        return fail("unexpected end of expression", t.offset);
      case "op":
        break;
    }
    if (t.text === ".") {
      const name = this.next();
      if (name.kind !== "ident")
        fail(`expected an identifier after '.' but found ${describe(name)}`, name.offset);
      return this.parseIdent(name, true);
    }
    if (t.text === "(") {
      const inner = this.parseExpr();
      this.expect(")", "to close '('");
      return inner;
    }
    if (t.text === "[") {
      const elements = this.parseList("]", "to close the list");
      return this.mk({ kind: "list", elements, offset: t.offset }, ...elements);
    }
    if (t.text === "{") return this.parseMap(t);
    return fail(`unexpected ${describe(t)}`, t.offset);
  }

  private parseIdent(t: Token, absolute: boolean): Node {
    const name = t.text;
    if (RESERVED.has(name) || name === "in")
      fail(`'${name}' is a reserved word and cannot be used as a name`, t.offset);
    if (!absolute) {
      if (name === "true" || name === "false") {
        return this.mk({ kind: "literal", type: "bool", value: name === "true", offset: t.offset });
      }
      if (name === "null") return this.mk({ kind: "literal", type: "null", value: null, offset: t.offset });
    }
    if (this.accept("(")) {
      const args = this.parseList(")", "to close the argument list");
      return this.mk({ kind: "call", name, target: undefined, args, offset: t.offset }, ...args);
    }
    if (this.isOp("{"))
      fail("message construction (Type{field: value}) is not supported; use a map {'k': v}", t.offset);
    return this.mk({ kind: "ident", name, absolute, offset: t.offset });
  }

  /** Comma-separated expressions up to `close`, allowing a trailing comma (after the opening token). */
  private parseList(close: string, context: string): Node[] {
    const items: Node[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseExpr());
      if (!this.accept(",")) break;
    }
    this.expect(close, context);
    return items;
  }

  private parseMap(open: Token): Node {
    const entries: MapEntry[] = [];
    const children: Node[] = [];
    while (!this.isOp("}")) {
      const key = this.parseExpr();
      this.expect(":", "between a map key and its value");
      const value = this.parseExpr();
      entries.push({ key, value });
      children.push(key, value);
      if (!this.accept(",")) break;
    }
    this.expect("}", "to close the map");
    return this.mk({ kind: "map", entries, offset: open.offset }, ...children);
  }
}

function tooDeep(offset: number): never {
  return fail(`expression is nested too deeply (more than ${MAX_DEPTH} levels)`, offset);
}

function describe(t: Token): string {
  switch (t.kind) {
    case "eof":
      return "the end of the expression";
    case "string":
      return "a string literal";
    case "int":
    case "uint":
    case "double":
      return `number ${t.text}`;
    default:
      return `'${t.text}'`;
  }
}
