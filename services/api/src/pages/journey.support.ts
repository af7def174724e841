// Shared by the subscription tests: topics to choose from, a real worker, and links read from real mail.
import { topics, type TDb } from '@paperboy/db';
import { createLogger } from '@paperboy/logger';
import type { TCaughtMessage, TSmtpCatcher, TTestContext } from '@paperboy/testing';
import { configFor } from '@paperboy/testing';
import { createWorkerRuntime, type TWorkerRuntime } from '@paperboy/worker';

const TEST_TOPICS = [
  { slug: 'llms', name: 'Large language models', description: 'Training, prompting and evaluating LLMs', terms: [{ term: 'LLM', weight: 1 }] },
  { slug: 'diffusion', name: 'Diffusion models', description: 'Image, video and audio generation with diffusion', terms: [{ term: 'diffusion', weight: 1 }] },
  { slug: 'robotics', name: 'Robotics', description: 'Robots that learn to act in the world', terms: [{ term: 'robot', weight: 1 }] },
];

export async function seedTestTopics(db: TDb): Promise<void> {
  await db.insert(topics).values(TEST_TOPICS).onConflictDoNothing();
}

/** The worker exactly as production runs it, sending to the test's SMTP catcher. */
export async function startWorker({ context, catcher, env = {} }: { context: TTestContext; catcher: TSmtpCatcher; env?: Record<string, string> }): Promise<TWorkerRuntime> {
  const runtime = createWorkerRuntime({
    config: configFor(context, { SMTP_URL: catcher.url, ...env }),
    logger: createLogger({ level: 'silent', name: 'worker-test' }),
  });
  await runtime.start();
  return runtime;
}

/** Links of one kind (`confirm`, `preferences`, `unsubscribe`) found in a message's plain-text part. */
export function linkIn(message: TCaughtMessage, kind: 'confirm' | 'preferences' | 'unsubscribe'): string {
  const match = new RegExp(`https?://[^\\s<>"]+/${kind}/[\\w.-]+`).exec(message.parsed.text ?? '');
  if (!match) throw new Error(`no ${kind} link in the message`);
  return match[0];
}

/** The URL in `List-Unsubscribe: <…>`. */
export function listUnsubscribeUrl(message: TCaughtMessage): string {
  const header = message.header('list-unsubscribe') ?? '';
  const match = /^<([^>]+)>$/.exec(header);
  if (!match) throw new Error(`unexpected List-Unsubscribe header: ${header}`);
  return match[1]!;
}
