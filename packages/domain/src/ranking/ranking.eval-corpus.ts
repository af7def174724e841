import { readLabelledPapers } from '../matching/matching.dataset.ts';
import type { TRandom } from './ranking.eval-readers.ts';
import type { TEvalPaper } from './ranking.eval.ts';

/**
 * Every labelled paper, tuning and held-out alike, as the matcher's evaluation reads them: the
 * ranking evaluation measures readers, not the matcher, so it needs no split. The corpus carries
 * no upvotes; each such paper gets a random count, heavy-tailed like real ones and unrelated to
 * any reader's interest, so the trending signal is noise the learned ranking has to see past.
 */
export function readRankingEvalPapers({ random }: { random: TRandom }): TEvalPaper[] {
  const { tuning, heldOut } = readLabelledPapers();
  return [...tuning, ...heldOut].map(({ topics, ...paper }) => ({
    ...paper,
    upvotes: paper.upvotes || Math.floor(random.next() ** 3 * 500),
    labels: topics,
  }));
}
