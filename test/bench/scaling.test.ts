import { NEAR_LINEAR_FACTOR, scaling } from "../../tools/bench/scaling";

/** The bench's sizes: 5, 10 and 20 generated environments of three stacks each. */
const STACKS = [15, 30, 60];
const points = (seconds: (stacks: number) => number) => STACKS.map((stacks) => ({ stacks, seconds: seconds(stacks) }));

describe("scaling of synth time with the number of stacks", () => {
  it("reads a fixed start-up and a cost per added stack off a straight line, and calls it near linear", () => {
    const result = scaling(points((n) => 1.2 + 0.03 * n));
    expect(result.marginalSeconds).toBeCloseTo(0.03, 10);
    expect(result.fixedSeconds).toBeCloseTo(1.2, 10);
    expect(result.averageSeconds).toBeCloseTo((1.2 + 0.03 * 60) / 60, 10);
    expect(result.extrapolatedSeconds).toBeCloseTo(1.2 + 0.03 * 60, 10);
    expect(result.ratio).toBeCloseTo(1, 10);
    expect(result.nearLinear).toBe(true);
  });

  it("fits the least-squares line through all sizes, not only the ends", () => {
    // 5→20 alone would give (3.0 - 1.5) / 45; the middle point pulls the fit.
    const result = scaling([
      { stacks: 15, seconds: 1.5 },
      { stacks: 30, seconds: 2.4 },
      { stacks: 60, seconds: 3.0 },
    ]);
    const meanX = 35;
    const meanY = 2.3;
    const expected = ((15 - meanX) * (1.5 - meanY) + (30 - meanX) * (2.4 - meanY) + (60 - meanX) * (3.0 - meanY)) / ((15 - meanX) ** 2 + (30 - meanX) ** 2 + (60 - meanX) ** 2);
    expect(result.marginalSeconds).toBeCloseTo(expected, 10);
    expect(result.marginalSeconds).not.toBeCloseTo(1.5 / 45, 3);
  });

  it("is not near linear when the cost per stack grows with the number of stacks", () => {
    const result = scaling(points((n) => 1 + 0.001 * n * n));
    expect(result.extrapolatedSeconds).toBeCloseTo(1.9 + (0.675 / 15) * 30, 10);
    expect(result.ratio).toBeGreaterThan(NEAR_LINEAR_FACTOR);
    expect(result.nearLinear).toBe(false);
  });

  it("takes no growth between the two smallest sizes (noise) as a flat extrapolation", () => {
    const result = scaling([
      { stacks: 15, seconds: 2.0 },
      { stacks: 30, seconds: 1.9 },
      { stacks: 60, seconds: 2.2 },
    ]);
    expect(result.extrapolatedSeconds).toBe(2.0);
    expect(result.ratio).toBeCloseTo(1.1, 10);
    expect(result.nearLinear).toBe(true);
  });

  it("needs three distinct sizes", () => {
    expect(() => scaling(points((n) => n).slice(0, 2))).toThrow(/2 sizes measured; give three or more/);
    expect(() => scaling([...points((n) => n).slice(0, 2), { stacks: 30, seconds: 1 }])).toThrow(/repeat a stack count/);
  });
});
