/** Plain-text tables the benchmarks print: first column left-aligned, the numbers right-aligned. */

/** One row: cell i padded to widths[i], the first to the right, the others to the left, two spaces apart. */
export function alignRow(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0)))
    .join("  ");
}

/** Header, a rule of dashes, then the body, each column as wide as its widest cell. */
export function alignedTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] ?? "").length)),
  );
  const line = (cells: readonly string[]): string => alignRow(cells, widths);
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...body.map(line)].join("\n");
}
