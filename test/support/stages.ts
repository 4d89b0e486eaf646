// Timing of the benches' stages: wall time and, next to it, CPU time (on a shared machine the wall time mostly
// measures the neighbours).

/** CPU time this process has used so far (every thread, GC helpers included), in ms. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** A stage: its name, wall time and CPU time, in ms. */
export type Stage = [name: string, wallMs: number, cpuMs: number];

/** One line a stage: its name, wall time and CPU time in seconds. */
export function formatStages(stages: readonly Stage[]): string[] {
  return stages.map(
    ([name, ms, cpu]) => `  ${name.padEnd(12)} ${(ms / 1000).toFixed(2)} s (CPU ${(cpu / 1000).toFixed(2)} s)`,
  );
}

/** Records stages, each stage's CPU time counted from the end of the one before (or from the clock's making). */
export class StageClock {
  readonly stages: Stage[] = [];
  /** CPU time when the clock was made. */
  readonly startCpu = cpuMs();
  private lastCpu = this.startCpu;

  /** Records a stage that ends now and took `ms` of wall time; fits the library's `onStage` callbacks. */
  readonly stage = (name: string, ms: number): void => {
    const now = cpuMs();
    this.stages.push([name, ms, now - this.lastCpu]);
    this.lastCpu = now;
  };

  /** CPU time since the clock was made, in ms. */
  cpuSinceStart(): number {
    return this.lastCpu - this.startCpu;
  }
}
