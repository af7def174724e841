import { createHash } from 'node:crypto';
import { keywords, papers, paperKeywords, paperTopics, subscriberKeywords, subscribers, subscriberTopics, topics, type TDb } from '@paperboy/db';

// Builds the rows a digest run reads, directly: matching has its own tests, and these tests
// need exact, known scores to check ranking and exclusion.

export type TFixturePaper = {
  arxivId: string;
  title?: string;
  abstract?: string;
  upvotes: number;
  ingestedAt?: Date;
  topics?: Record<string, number>;
  keywords?: Record<string, number>;
};

export type TFixtureSubscriber = {
  email: string;
  status?: 'pending' | 'confirmed' | 'unsubscribed';
  frequency?: 'daily' | 'weekly';
  digestSize?: 5 | 10 | 20;
  pausedUntil?: Date;
  topics?: string[];
  keywords?: string[];
};

export async function insertDigestFixture({
  db,
  topicSlugs,
  paperList,
  subscriberList,
}: {
  db: TDb;
  topicSlugs: string[];
  paperList: TFixturePaper[];
  subscriberList: TFixtureSubscriber[];
}) {
  const topicRows = await db
    .insert(topics)
    .values(topicSlugs.map((slug) => ({ slug, name: `Topic ${slug}`, description: slug, terms: [{ term: slug, weight: 1 }] })))
    .onConflictDoNothing()
    .returning();
  const topicId = new Map(topicRows.map((row) => [row.slug, row.id]));
  const phrases = [...new Set([...paperList.flatMap((p) => Object.keys(p.keywords ?? {})), ...subscriberList.flatMap((s) => s.keywords ?? [])])];
  const keywordRows = phrases.length ? await db.insert(keywords).values(phrases.map((phrase) => ({ phrase }))).returning() : [];
  const keywordId = new Map(keywordRows.map((row) => [row.phrase, row.id]));

  const paperRows = await db
    .insert(papers)
    .values(
      paperList.map((paper) => ({
        arxivId: paper.arxivId,
        title: paper.title ?? `Paper ${paper.arxivId}`,
        abstract: paper.abstract ?? `Abstract of ${paper.arxivId}.`,
        authors: ['Ada Lovelace', 'Alan Turing'],
        upvotes: paper.upvotes,
        source: 'test',
        ingestedAt: paper.ingestedAt ?? new Date(),
        // Their matches are set below, by hand: marked matched, so the worker's sweep of unmatched
        // papers does not score them again with the topic model.
        matchedAt: new Date(),
      })),
    )
    .returning();
  const paperId = new Map(paperRows.map((row) => [row.arxivId, row.id]));
  const topicMatches = paperList.flatMap((paper) =>
    Object.entries(paper.topics ?? {}).map(([slug, score]) => ({
      paperId: paperId.get(paper.arxivId)!,
      topicId: topicId.get(slug)!,
      score,
      matchedTerms: [slug],
    })),
  );
  if (topicMatches.length) await db.insert(paperTopics).values(topicMatches);
  const keywordMatches = paperList.flatMap((paper) =>
    Object.entries(paper.keywords ?? {}).map(([phrase, score]) => ({ paperId: paperId.get(paper.arxivId)!, keywordId: keywordId.get(phrase)!, score })),
  );
  if (keywordMatches.length) await db.insert(paperKeywords).values(keywordMatches);

  const subscriberRows = await db
    .insert(subscribers)
    .values(
      subscriberList.map((subscriber) => ({
        email: subscriber.email,
        emailHash: createHash('sha256').update(subscriber.email).digest('hex'),
        status: subscriber.status ?? 'confirmed',
        frequency: subscriber.frequency ?? 'weekly',
        digestSize: subscriber.digestSize ?? 10,
        pausedUntil: subscriber.pausedUntil,
        confirmedAt: new Date(),
      })),
    )
    .returning();
  const subscriberId = new Map(subscriberRows.map((row) => [row.email!, row.id]));
  const chosenTopics = subscriberList.flatMap((s) => (s.topics ?? []).map((slug) => ({ subscriberId: subscriberId.get(s.email)!, topicId: topicId.get(slug)! })));
  if (chosenTopics.length) await db.insert(subscriberTopics).values(chosenTopics);
  const chosenKeywords = subscriberList.flatMap((s) =>
    (s.keywords ?? []).map((phrase) => ({ subscriberId: subscriberId.get(s.email)!, keywordId: keywordId.get(phrase)! })),
  );
  if (chosenKeywords.length) await db.insert(subscriberKeywords).values(chosenKeywords);

  return { topicId, paperId, subscriberId };
}
