import type { TConfig } from '@paperboy/config';
import type { TDb } from '@paperboy/db';
import { createMessageSkeleton, type TCompiledTemplate, type TComposedMessage, type TDigestData, type TOutgoingEmail } from '@paperboy/email';
import { keywords, paperKeywords, papers, paperTopics, topics } from '@paperboy/db';
import { eq, inArray } from 'drizzle-orm';
import { feedbackLinks, type TFeedbackLinks } from '../feedback/feedback.tokens.ts';
import { formatWhy } from '../ranking/ranking.formula.ts';
import { subscriberLinks } from '../subscriptions/subscriptions.tokens.ts';
import type { TClaimedDelivery } from './digests.deliveries.repository.ts';

export type TSubscriberLinks = { preferencesUrl: string; unsubscribeUrl: string };

export type TComposerSettings = {
  publicUrl: string;
  /** The From header, "Name <address>". */
  from: string;
  postalAddress: string;
  /** When set, List-Unsubscribe also offers mailto:<this>?subject=unsubscribe. */
  unsubscribeMailto?: string;
};

type TReason = { kind: 'topic' | 'keyword'; id: number; label: string; terms: string[]; score: number };

type TPaperView = {
  reasons: TReason[];
  title: string;
  url: string;
  authors: string;
  abstract: string;
  upvotes: number;
  codeUrl: string | null;
  projectUrl: string | null;
};

const ABSTRACT_LIMIT = 420;
const AUTHORS_SHOWN = 3;

export function shortenAuthors(authors: string[]): string {
  if (authors.length === 0) return 'Authors not listed';
  if (authors.length <= AUTHORS_SHOWN + 1) return authors.join(', ');
  return `${authors.slice(0, AUTHORS_SHOWN).join(', ')} et al.`;
}

export function trimAbstract(abstract: string, limit = ABSTRACT_LIMIT): string {
  const flat = abstract.replace(/\s+/g, ' ').trim();
  if (flat.length <= limit) return flat;
  const cut = flat.slice(0, limit);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), limit - 40)).replace(/[\s,;:.]+$/, '')}…`;
}

/**
 * Turns a claimed delivery into a message. The MJML was compiled once; per recipient this
 * costs one Handlebars fill and a look-up in a paper cache that is filled once per process
 * for each paper (a run's deliveries share a few thousand papers at most).
 */
export function createDigestComposer({
  db,
  template,
  settings,
  linksFor,
  feedbackLinksFor,
}: {
  db: TDb;
  template: TCompiledTemplate<TDigestData>;
  settings: TComposerSettings;
  linksFor: (subscriberId: string) => TSubscriberLinks;
  /** "More like this" and "less like this" under each paper. */
  feedbackLinksFor: (input: { subscriberId: string; paperId: number; runId: string }) => TFeedbackLinks;
}) {
  const cache = new Map<number, TPaperView>();
  const host = new URL(settings.publicUrl).hostname;
  // What every digest of a period shares (From, List-Id, the MIME structure) is built once.
  const skeletons = {
    weekly: createDigestSkeleton({ from: settings.from, host, period: 'weekly' }),
    daily: createDigestSkeleton({ from: settings.from, host, period: 'daily' }),
  };

  async function loadPapers(ids: number[]) {
    const missing = ids.filter((id) => !cache.has(id));
    if (missing.length === 0) return;
    const [rows, topicMatches, keywordMatches] = await Promise.all([
      db.select().from(papers).where(inArray(papers.id, missing)),
      db
        .select({ paperId: paperTopics.paperId, id: paperTopics.topicId, label: topics.name, terms: paperTopics.matchedTerms, score: paperTopics.score })
        .from(paperTopics)
        .innerJoin(topics, eq(topics.id, paperTopics.topicId))
        .where(inArray(paperTopics.paperId, missing)),
      db
        .select({ paperId: paperKeywords.paperId, id: paperKeywords.keywordId, label: keywords.phrase, score: paperKeywords.score })
        .from(paperKeywords)
        .innerJoin(keywords, eq(keywords.id, paperKeywords.keywordId))
        .where(inArray(paperKeywords.paperId, missing)),
    ]);
    const reasonsByPaper = new Map<number, TReason[]>();
    for (const match of topicMatches) {
      reasonsByPaper.set(match.paperId, [...(reasonsByPaper.get(match.paperId) ?? []), { kind: 'topic', ...match }]);
    }
    for (const match of keywordMatches) {
      reasonsByPaper.set(match.paperId, [...(reasonsByPaper.get(match.paperId) ?? []), { kind: 'keyword', terms: [match.label], ...match }]);
    }
    for (const row of rows) {
      cache.set(row.id, {
        reasons: reasonsByPaper.get(row.id) ?? [],
        title: row.title,
        url: `https://arxiv.org/abs/${row.arxivId}`,
        authors: shortenAuthors(row.authors),
        abstract: trimAbstract(row.abstract),
        upvotes: row.upvotes,
        codeUrl: row.githubRepo,
        projectUrl: row.projectPage,
      });
    }
  }

  const compose = async (delivery: TClaimedDelivery): Promise<TOutgoingEmail> => {
    await loadPapers([...delivery.paperIds, ...delivery.likedPaperIds.filter((id) => id > 0)]);
    const topicIds = new Set(delivery.topicIds);
    const keywordIds = new Set(delivery.keywordIds);
    const paperCards = delivery.paperIds.flatMap((paperId, index) => {
      const paper = cache.get(paperId);
      // A paper deleted after planning is left out rather than failing the digest.
      if (!paper) return [];
      const { reasons, ...card } = paper;
      const own = reasons.filter((reason) => (reason.kind === 'topic' ? topicIds.has(reason.id) : keywordIds.has(reason.id)));
      // Preferences changed since planning: still say what the paper is about.
      const shown = own.length > 0 ? own : reasons.slice().sort((a, b) => b.score - a.score).slice(0, 1);
      const likedTitle = cache.get(delivery.likedPaperIds[index] ?? 0)?.title;
      const feedback = feedbackLinksFor({ subscriberId: delivery.subscriberId, paperId, runId: delivery.runId });
      return [{ position: index + 1, why: formatWhy({ reasons: shown, likedTitle }), ...card, ...feedback }];
    });
    const links = linksFor(delivery.subscriberId);
    const period = delivery.frequency === 'weekly' ? 'weekly' : 'daily';
    const count = paperCards.length;
    const subject = `Your ${period} Paperboy: ${count} new ${count === 1 ? 'paper' : 'papers'} for you`;
    const { html, text } = template({
      subject,
      preview: paperCards[0] ? `${paperCards[0].title} and more` : 'Your papers',
      heading: `Your ${period} papers`,
      intro: `${count} trending ${count === 1 ? 'paper' : 'papers'} that match your topics and keywords, best first.`,
      papers: paperCards,
      footerNote: `You get this ${period} digest because you subscribed to Paperboy and confirmed your address.`,
      preferencesUrl: links.preferencesUrl,
      unsubscribeUrl: links.unsubscribeUrl,
      postalAddress: settings.postalAddress,
    });
    const listUnsubscribe = [links.unsubscribeUrl];
    if (settings.unsubscribeMailto) listUnsubscribe.push(`mailto:${settings.unsubscribeMailto}?subject=unsubscribe`);
    return { to: delivery.email, subject, html, text, messageId: `<digest-${delivery.id}@${host}>`, listUnsubscribe };
  };

  return {
    /** Loads the papers of a whole batch (and those their "why" lines name) in one round of queries, before its messages are composed. */
    preload: (paperIds: number[]) => loadPapers([...new Set(paperIds.filter((id) => id > 0))]),
    /** The digest's content and per-recipient headers (what a preview shows). */
    compose,
    /** The digest as it goes to SMTP, from its period's skeleton; `envelopeFrom` is the bounce address. */
    composeMessage: async (delivery: TClaimedDelivery, options: { envelopeFrom?: string } = {}): Promise<TComposedMessage> =>
      skeletons[delivery.frequency === 'weekly' ? 'weekly' : 'daily'].compose(await compose(delivery), options),
  };
}

function createDigestSkeleton({ from, host, period }: { from: string; host: string; period: 'weekly' | 'daily' }) {
  return createMessageSkeleton({
    from,
    headers: {
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'List-Id': `Paperboy ${period} digest <${period}.digest.${host}>`,
      Precedence: 'bulk',
      'Auto-Submitted': 'auto-generated',
    },
  });
}

export type TDigestComposer = ReturnType<typeof createDigestComposer>;

/** The composer as both services build it: links signed with the configured key and lifetimes. */
export function createDigestComposerFromConfig({ db, config, template }: { db: TDb; config: TConfig; template: TCompiledTemplate<TDigestData> }) {
  return createDigestComposer({
    db,
    template,
    settings: {
      publicUrl: config.server.publicUrl,
      from: config.mail.from,
      postalAddress: config.mail.postalAddress,
      unsubscribeMailto: config.digests.unsubscribeMailto,
    },
    linksFor: (subscriberId) =>
      subscriberLinks({
        publicUrl: config.server.publicUrl,
        secretKey: config.security.secretKey,
        subscriberId,
        tokenTtlDays: config.subscriptions.tokenTtlDays,
      }),
    feedbackLinksFor: ({ subscriberId, paperId, runId }) =>
      feedbackLinks({
        publicUrl: config.server.publicUrl,
        secretKey: config.security.secretKey,
        subscriberId,
        paperId,
        runId,
        ttlDays: config.subscriptions.tokenTtlDays.preferences,
      }),
  });
}
