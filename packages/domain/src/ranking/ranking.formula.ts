/**
 * Ranking of a paper for a subscriber (README, "Ranking"):
 *
 *   relevance = 1 - exp(-S / 3)        S = sum of the paper's scores over the subscriber's matched topics and keywords
 *   trending  = min(1, ln(1 + upvotes) / ln(1001))
 *   rank      = 0.7 * relevance + 0.3 * trending
 *
 * `1 - exp(-S/3)` is the noisy-or of the individual matches (each `1 - exp(-s/3)`), so every
 * further matching topic or keyword adds relevance with diminishing returns. Upvotes are
 * logarithmic and weigh less than relevance, so a strong match with few upvotes beats a weak
 * match with many.
 */
export const RANKING = { relevanceScale: 3, relevanceWeight: 0.7, trendingWeight: 0.3, upvotesForFullTrending: 1000 } as const;

function relevanceOf(summedScore: number): number {
  return 1 - Math.exp(-summedScore / RANKING.relevanceScale);
}

/** The trending part of `rank`, from a paper's upvotes. */
export function trendingOf(upvotes: number): number {
  return Math.min(1, Math.log(1 + Math.max(upvotes, 0)) / Math.log(1 + RANKING.upvotesForFullTrending));
}

/** `rank` above, over the summed score of the subscriber's matches and the paper's `trendingOf(upvotes)`. */
export function rankOf(summedScore: number, trending: number): number {
  return RANKING.relevanceWeight * relevanceOf(summedScore) + RANKING.trendingWeight * trending;
}

export type TWhyReason = { kind: 'topic' | 'keyword'; label: string; terms: string[]; score: number };

/**
 * The "why you got this" line, e.g. `Like “A title”, which you rated up; Topic (term, term); “keyword”`,
 * reasons best first. The upvotes are not repeated here: the card shows them above the title.
 */
export function formatWhy({ reasons, likedTitle }: { reasons: TWhyReason[]; likedTitle?: string }): string {
  const parts = [...reasons]
    .sort((a, b) => b.score - a.score || a.label.localeCompare(b.label))
    .map((reason) => (reason.kind === 'topic' ? `${reason.label} (${reason.terms.slice(0, 3).join(', ')})` : `“${reason.label}”`));
  if (likedTitle !== undefined) parts.unshift(`Like “${likedTitle}”, which you rated up`);
  return parts.join('; ');
}
