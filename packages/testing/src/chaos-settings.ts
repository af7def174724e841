// Sizes of the fault-injection suite (packages/chaos). Test helpers may read the environment.

/**
 * How many subscribers each scenario mails. CI runs the default; by hand, e.g.
 * `CHAOS_SUBSCRIBERS=20000 npm run test:chaos`. Test helpers may read the environment.
 */
export function chaosSubscriberCount(): number {
  const value = Number(process.env.CHAOS_SUBSCRIBERS ?? 2_000);
  if (!Number.isInteger(value) || value < 100) throw new Error('CHAOS_SUBSCRIBERS must be a whole number of at least 100');
  return value;
}

/** How long scenario 2 refuses SMTP connections: the 30 s by hand, 3 s in CI. */
export function chaosSmtpOutageMs(): number {
  return Number(process.env.CHAOS_SMTP_OUTAGE_MS ?? 3_000);
}

/** How long one phase of a scenario may take: two minutes at CI size, growing with the audience (~25 sends/s on a small machine). */
export function chaosPhaseTimeoutMs(): number {
  return Math.max(120_000, chaosSubscriberCount() * 40);
}
