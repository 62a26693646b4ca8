/** The parsed form of a CEL expression. Every node records its source offset for diagnostics. */

export type LiteralKind = "int" | "uint" | "double" | "string" | "bool" | "null";

export type Node =
  | { readonly kind: "literal"; readonly type: LiteralKind; readonly value: unknown; readonly offset: number }
  /** `absolute` is set for `.name`, which skips comprehension variables. */
  | { readonly kind: "ident"; readonly name: string; readonly absolute: boolean; readonly offset: number }
  | { readonly kind: "select"; readonly operand: Node; readonly field: string; readonly offset: number }
  | { readonly kind: "index"; readonly operand: Node; readonly index: Node; readonly offset: number }
  /** A function call `f(a)` (no target) or a receiver call `x.f(a)`. */
  | {
      readonly kind: "call";
      readonly name: string;
      readonly target: Node | undefined;
      readonly args: readonly Node[];
      readonly offset: number;
    }
  | { readonly kind: "list"; readonly elements: readonly Node[]; readonly offset: number }
  | { readonly kind: "map"; readonly entries: readonly MapEntry[]; readonly offset: number }
  | { readonly kind: "unary"; readonly op: "!" | "-"; readonly operand: Node; readonly offset: number }
  | {
      readonly kind: "binary";
      readonly op: BinaryOp;
      readonly left: Node;
      readonly right: Node;
      readonly offset: number;
    }
  /** `a && b && c` as one node, so long chains do not nest deeply. */
  | {
      readonly kind: "logical";
      readonly op: "&&" | "||";
      readonly args: readonly Node[];
      readonly offset: number;
    }
  | {
      readonly kind: "conditional";
      readonly cond: Node;
      readonly then: Node;
      readonly otherwise: Node;
      readonly offset: number;
    };

export interface MapEntry {
  readonly key: Node;
  readonly value: Node;
}

export type BinaryOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "+" | "-" | "*" | "/" | "%";
