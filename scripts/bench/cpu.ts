import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// /proc/<pid>/stat counts CPU time in clock ticks (USER_HZ, almost always 100).
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields 14 and 15 count from after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/**
 * CPU time by group of processes between `start` and `stop`. Each group names its processes
 * when asked, so PostgreSQL backends that connect mid-run are counted from zero.
 */
export function createCpuMeter(groups: Record<string, () => Promise<number[]> | number[]>) {
  const before = new Map<number, number>();
  const read = async () => {
    const seen: Record<string, number[]> = {};
    for (const [name, pids] of Object.entries(groups)) seen[name] = await pids();
    return seen;
  };
  return {
    start: async () => {
      for (const pids of Object.values(await read())) for (const pid of pids) before.set(pid, cpuSeconds(pid));
    },
    /** CPU seconds per group since `start`. */
    stop: async (): Promise<Record<string, number>> => {
      const used: Record<string, number> = {};
      for (const [name, pids] of Object.entries(await read())) {
        used[name] = pids.reduce((sum, pid) => sum + cpuSeconds(pid) - (before.get(pid) ?? 0), 0);
      }
      return used;
    },
  };
}

/** CPU seconds per 1,000 messages, rounded for the table. */
export function perThousand(used: Record<string, number>, messages: number): Record<string, number> {
  return Object.fromEntries(Object.entries(used).map(([name, seconds]) => [name, Number(((seconds * 1_000) / Math.max(messages, 1)).toFixed(3))]));
}
