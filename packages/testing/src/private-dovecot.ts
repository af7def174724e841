import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { getFreePort } from './ports.ts';

export type TPrivateDovecot = {
  host: string;
  port: number;
  user: string;
  password: string;
  /** imap://user:password@127.0.0.1:port, as BOUNCE_IMAP_URL takes it. */
  url: string;
  /** Puts a raw message into a mailbox, as a mail server delivering it would. */
  append: (raw: string | Buffer, mailbox?: string) => Promise<void>;
  /** UIDs and keywords of the messages in a mailbox (empty when it does not exist). */
  messages: (mailbox: string) => Promise<{ uid: number; keywords: string[] }[]>;
  close: () => Promise<void>;
};

const DOVECOT = '/usr/sbin/dovecot';
const USER = 'bounces';
const PASSWORD = 'bounce-mailbox-test-password';

function config({ dir, port, mailUid, mailGid, serviceUser }: { dir: string; port: number; mailUid: number; mailGid: number; serviceUser: string }) {
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${serviceUser}
default_login_user = ${serviceUser}
first_valid_uid = ${mailUid}
first_valid_gid = ${mailGid}
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`;
}

async function waitForGreeting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (data) => {
        socket.destroy();
        resolve(data.toString().startsWith('* OK'));
      });
      socket.once('error', () => resolve(false));
    });
    if (greeted) return;
    if (Date.now() > deadline) throw new Error(`private dovecot did not greet on port ${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A dovecot IMAP server of the calling test's own: plain authentication on a free localhost
 * port, one passwd-file user, maildirs in a temporary directory, no TLS. Run as root (CI), mail
 * is owned by `nobody`, since dovecot refuses mail access as uid 0.
 */
export async function startPrivateDovecot(): Promise<TPrivateDovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'paperboy-dovecot-'));
  const port = await getFreePort();
  const isRoot = process.getuid?.() === 0;
  const mailUid = isRoot ? 65534 : userInfo().uid;
  const mailGid = isRoot ? 65534 : userInfo().gid;
  // The auth process runs as the service user and must read the passwd file (a test password).
  chmodSync(dir, 0o755);
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub), { recursive: true });
  if (isRoot) chownSync(join(dir, 'mail'), mailUid, mailGid);
  writeFileSync(join(dir, 'passwd'), `${USER}:{PLAIN}${PASSWORD}\n`);
  writeFileSync(join(dir, 'dovecot.conf'), config({ dir, port, mailUid, mailGid, serviceUser: isRoot ? 'dovenull' : userInfo().username }));
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  const failedToStart = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`${DOVECOT} could not be started (install dovecot-imapd): ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`${DOVECOT} exited with code ${code} before it greeted`)));
  });
  failedToStart.catch(() => {});
  try {
    await Promise.race([waitForGreeting(port, 10_000), failedToStart]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const client = async <T>(work: (imap: ImapFlow) => Promise<T>): Promise<T> => {
    const imap = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user: USER, pass: PASSWORD }, logger: false });
    await imap.connect();
    try {
      return await work(imap);
    } finally {
      await imap.logout();
    }
  };

  return {
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    url: `imap://${USER}:${PASSWORD}@127.0.0.1:${port}`,
    append: async (raw, mailbox = 'INBOX') => {
      await client((imap) => imap.append(mailbox, raw));
    },
    messages: (mailbox) =>
      client(async (imap) => {
        if (!(await imap.list()).some((entry) => entry.path === mailbox)) return [];
        const lock = await imap.getMailboxLock(mailbox);
        try {
          const found: { uid: number; keywords: string[] }[] = [];
          for await (const message of imap.fetch('1:*', { uid: true, flags: true })) {
            found.push({ uid: message.uid, keywords: [...(message.flags ?? [])] });
          }
          return found;
        } finally {
          lock.release();
        }
      }),
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
