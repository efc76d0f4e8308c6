/** One measured synth: how many stacks, how long. */
export interface SynthPoint {
  readonly stacks: number;
  readonly seconds: number;
}

/**
 * How far above the straight line through the two smaller sizes the largest may land and
 * still count as near linear: 1.3 leaves room for the noise of a shared two-core machine
 * while a cost per stack that grows with the number of stacks (quadratic work) overshoots it.
 */
export const NEAR_LINEAR_FACTOR = 1.3;

export interface Scaling {
  /** Seconds each added stack costs: the slope of the least-squares line through the points. */
  readonly marginalSeconds: number;
  /** Where that line meets zero stacks: start-up that every synth pays once (loading cdktf and the providers). */
  readonly fixedSeconds: number;
  /** Seconds per stack of the largest synth, start-up included. */
  readonly averageSeconds: number;
  /** The largest synth's time as the straight line through the two smallest predicts it. */
  readonly extrapolatedSeconds: number;
  /** Measured over extrapolated time of the largest synth. */
  readonly ratio: number;
  /** `ratio` at most NEAR_LINEAR_FACTOR. */
  readonly nearLinear: boolean;
}

/**
 * Scaling of synth time with the number of stacks, from three or more sizes (the bench's 5,
 * 10 and 20 environments). When the two smallest measure no growth (noise), the extrapolation
 * is the larger of them: a largest synth no slower than that is near linear.
 */
export function scaling(points: readonly SynthPoint[]): Scaling {
  if (points.length < 3) throw new Error(`scaling: ${points.length} sizes measured; give three or more to tell a line from a curve.`);
  const sorted = [...points].sort((a, b) => a.stacks - b.stacks);
  if (new Set(sorted.map((p) => p.stacks)).size !== sorted.length) {
    throw new Error(`scaling: the sizes ${sorted.map((p) => p.stacks).join(", ")} repeat a stack count; give distinct sizes.`);
  }
  const n = sorted.length;
  const meanX = sorted.reduce((sum, p) => sum + p.stacks, 0) / n;
  const meanY = sorted.reduce((sum, p) => sum + p.seconds, 0) / n;
  const sxy = sorted.reduce((sum, p) => sum + (p.stacks - meanX) * (p.seconds - meanY), 0);
  const sxx = sorted.reduce((sum, p) => sum + (p.stacks - meanX) ** 2, 0);
  const marginalSeconds = sxy / sxx;
  const [small, medium] = sorted;
  const largest = sorted[n - 1];
  const slope = Math.max(0, (medium.seconds - small.seconds) / (medium.stacks - small.stacks));
  const extrapolatedSeconds = Math.max(medium.seconds, small.seconds) + slope * (largest.stacks - medium.stacks);
  const ratio = largest.seconds / extrapolatedSeconds;
  return {
    marginalSeconds,
    fixedSeconds: meanY - marginalSeconds * meanX,
    averageSeconds: largest.seconds / largest.stacks,
    extrapolatedSeconds,
    ratio,
    nearLinear: ratio <= NEAR_LINEAR_FACTOR,
  };
}
