/**
 * Duration anomalies: a run much shorter or longer than the same task's recent successes,
 * e.g. a backup that "succeeded" in 8 s instead of 12 min. Pure: the caller passes the durations of the
 * task's previous successes (newest first) and this run's duration.
 */
export interface DurationAnomalyOptions {
  /** How many previous successes are considered. */
  window: number;
  /** Fewer previous successes than this: no opinion. */
  minSamples: number;
  /** Shorter than median × shortFactor is an anomaly. */
  shortFactor: number;
  /** Longer than median × longFactor is an anomaly. */
  longFactor: number;
  /**
   * Differences smaller than this are never anomalies: a 200 ms task taking 700 ms is noise, not news.
   */
  minDeltaMs: number;
}

export const DEFAULT_DURATION_ANOMALY: Readonly<DurationAnomalyOptions> = {
  window: 20,
  minSamples: 5,
  shortFactor: 0.1,
  longFactor: 3,
  minDeltaMs: 5000,
};

export interface DurationAnomaly {
  direction: 'short' | 'long';
  durationMs: number;
  medianMs: number;
  samples: number;
  /** durationMs / medianMs. */
  ratio: number;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function detectDurationAnomaly(
  durationMs: number,
  previousMs: readonly number[],
  options: DurationAnomalyOptions = DEFAULT_DURATION_ANOMALY,
): DurationAnomaly | null {
  const samples = previousMs.slice(0, options.window).filter((ms) => Number.isFinite(ms) && ms >= 0);
  if (samples.length < options.minSamples) return null;
  const medianMs = median(samples);
  if (medianMs <= 0 || Math.abs(durationMs - medianMs) < options.minDeltaMs) return null;
  const ratio = durationMs / medianMs;
  const direction = ratio < options.shortFactor ? 'short' : ratio > options.longFactor ? 'long' : null;
  if (direction === null) return null;
  return { direction, durationMs, medianMs: Math.round(medianMs), samples: samples.length, ratio };
}
