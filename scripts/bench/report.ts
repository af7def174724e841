import type { TTransportResult } from './ceilings.ts';
import type { TPipelineResult } from './pipeline.ts';

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const cpuCell = (cpu: Record<string, number>) =>
  Object.entries(cpu)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`)
    .join(', ');

export type TTransports = { composed: TTransportResult; raw: TTransportResult; pipelined: TTransportResult; messageBytes: number };

/** Sending side by side, from one run: the three transports, then each pipeline against the raw path. */
export function sendingTable({ pipelines, transports, connections }: { pipelines: TPipelineResult[]; transports: TTransports; connections: number }): string[] {
  const rows = [
    `| sending (${transports.messageBytes} bytes a digest, ${connections} connections) | messages/s | CPU per 1,000 digests |`,
    '| --- | --- | --- |',
    `| composed: skeleton filled per message, nodemailer pool (production) | ${round(transports.composed.messagesPerSecond)} | ${cpuCell(transports.composed.cpuPerThousand)} |`,
    `| raw: pre-built messages, the same pool (ceiling) | ${round(transports.raw.messagesPerSecond)} | ${cpuCell(transports.raw.cpuPerThousand)} |`,
    `| bare pipelined SMTP writer (RFC 2920), pre-built messages | ${round(transports.pipelined.messagesPerSecond)} | ${cpuCell(transports.pipelined.cpuPerThousand)} |`,
  ];
  for (const run of pipelines) {
    const share = Math.round((run.digestsPerSecond / transports.raw.messagesPerSecond) * 100);
    rows.push(
      `| pipeline end to end, ${run.workers} worker${run.workers > 1 ? 's' : ''} (${share} % of raw) | ${round(run.digestsPerSecond)} | ${cpuCell(run.cpuPerThousand)} |`,
    );
  }
  return rows;
}

/** Every message each transport sent reached its sink once. */
export function isEveryTransportExact(transports: TTransports, count: number): boolean {
  return [transports.composed, transports.raw, transports.pipelined].every((result) => result.accepted === count);
}
