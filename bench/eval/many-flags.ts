/** A large flag file in Ramp's format, for the heap measurement: flags shaped like `new_checkout`. */

const COUNTRIES = ["US", "VN", "JP", "IN", "GB", "DE", "BR", "FR", "CA", "ID", "MX", "ES", "IT", "KR", "AU"];
const PLANS = ["enterprise", "pro", "free"];

/** The key of the `index`-th generated flag. */
export function flagKeyAt(index: number): string {
  return `flag_${String(index).padStart(5, "0")}`;
}

/** `count` boolean flags with distinct keys, each with targets, two rules, a split and a kill switch. */
export function manyFlagsDocument(count: number): Record<string, unknown> {
  const flags: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const countries = [0, 1, 2].map((n) => `"${COUNTRIES[(i + n * 7) % COUNTRIES.length]}"`);
    const percentage = (i * 37) % 101;
    flags[flagKeyAt(i)] = {
      description: `Generated flag ${i}`,
      type: "boolean",
      variants: { on: true, off: false },
      offVariant: "off",
      environments: {
        production: {
          on: true,
          targets: { on: [`beta-${i}-1`, `beta-${i}-2`] },
          rules: [
            { name: "plan", if: `user.plan == "${PLANS[i % PLANS.length]}"`, variant: "on" },
            { name: "countries", if: `user.country in [${countries.join(", ")}]`, variant: "on" },
          ],
          default: { split: { on: percentage, off: 100 - percentage } },
        },
        staging: { on: false },
      },
    };
  }
  return { version: 1, environments: ["production", "staging"], flags };
}
