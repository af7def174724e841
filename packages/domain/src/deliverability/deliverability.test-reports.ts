import { readFileSync } from 'node:fs';

// Realistic bounce and complaint reports (a Postfix DSN, an ARF feedback loop report) with the
// parts a test varies left as {{PLACEHOLDERS}}.

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

export function dsnReport({ verp, recipient, messageId, status, reply, action = 'failed' }: { verp: string; recipient: string; messageId: string; status: string; reply: string; action?: string }) {
  return fill(fixture('dsn-postfix.eml'), { VERP: verp, RECIPIENT: recipient, MESSAGE_ID: messageId, STATUS: status, REPLY: reply, ACTION: action });
}

export function arfReport({ verp, recipient, messageId, feedbackType = 'abuse' }: { verp: string; recipient: string; messageId: string; feedbackType?: string }) {
  return fill(fixture('arf-complaint.eml'), { VERP: verp, RECIPIENT: recipient, MESSAGE_ID: messageId, FEEDBACK_TYPE: feedbackType });
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_all, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {{${name}}}`);
    return value;
  });
}
