import { describe, expect, it } from "vitest";
import { mergePrometheus } from "./merge-prometheus.js";

describe("mergePrometheus", () => {
  it("keeps one HELP/TYPE per family and every sample, families contiguous", () => {
    const a =
      '# HELP x Requests.\n# TYPE x counter\nx{service="a"} 1\n# HELP y Other.\n# TYPE y gauge\ny 2\n';
    const b = '# HELP x Requests.\n# TYPE x counter\nx{service="b"} 3\n';
    expect(mergePrometheus([a, b])).toBe(
      '# HELP x Requests.\n# TYPE x counter\nx{service="a"} 1\nx{service="b"} 3\n# HELP y Other.\n# TYPE y gauge\ny 2\n',
    );
  });
});
