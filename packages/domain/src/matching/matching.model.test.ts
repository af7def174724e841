import { stemmer } from 'stemmer';
import { describe, expect, it } from 'vitest';
import { readLabelledPapers } from './matching.dataset.ts';
import { normalize, textTokens, type TPaperText, type TSparseVector } from './matching.features.ts';
import { loadTopicModel, termFeatures, type TTermHit, type TTopicModel } from './matching.model.ts';

// The oracle: the matcher as first written, plainly (maps of counts and of postings, each topic
// reading the hits itself, a sort over all training papers). The model's typed arrays, reused
// buffers and evidence worked out once per paper must give the same numbers.

function oracleVector(model: TTopicModel, paper: TPaperText): TSparseVector {
  const { terms, idf, titleWeight } = model.artifact.features;
  const indexOf = new Map(terms.map((term, index) => [term, index]));
  const counts = new Map<number, number>();
  const countInto = (text: string, weight: number) => {
    const tokens = textTokens(text);
    tokens.forEach((token, i) => {
      for (const ngram of i > 0 ? [token, `${tokens[i - 1]} ${token}`] : [token]) {
        const index = indexOf.get(ngram);
        if (index !== undefined) counts.set(index, (counts.get(index) ?? 0) + weight);
      }
    });
  };
  countInto(paper.title, titleWeight);
  countInto(paper.abstract, 1);
  const indices = [...counts.keys()].sort((a, b) => a - b);
  return normalize({ indices, values: indices.map((index) => (1 + Math.log(counts.get(index)!)) * idf[index]!) });
}

function oracleVotes(model: TTopicModel, trainingTexts: Map<number, number>[], text: TSparseVector): Map<string, number> | undefined {
  const { papers, count, minTerms } = model.artifact.neighbours;
  if (text.indices.length < minTerms) return undefined;
  const similarities = trainingTexts.map((training) => {
    let sum = 0;
    text.indices.forEach((index, k) => {
      if (training.has(index)) sum += training.get(index)! * text.values[k]!;
    });
    return sum;
  });
  const nearest = similarities
    .map((similarity, paper) => ({ similarity, paper }))
    .filter((entry) => entry.similarity > 0)
    .sort((a, b) => b.similarity - a.similarity || a.paper - b.paper)
    .slice(0, count);
  const total = nearest.reduce((sum, entry) => sum + entry.similarity, 0);
  if (total === 0) return undefined;
  const votes = new Map<string, number>();
  for (const { similarity, paper } of nearest) for (const slug of papers[paper]!.topics) votes.set(slug, (votes.get(slug) ?? 0) + similarity / total);
  return votes;
}

function oracleRegression(model: TTopicModel, slug: string) {
  const { artifact } = model;
  const topic = artifact.topics.find((candidate) => candidate.slug === slug)!;
  const textWeights = new Map(topic.text.indices.map((index, k) => [index, topic.text.values[k]!]));
  const categoryWeights = new Map(topic.category.indices.map((index, k) => [artifact.categories[index]!, topic.category.values[k]!]));
  return (input: { text: TSparseVector; categories: string[]; hits: Map<string, TTermHit> }) => oracleLogistic({ model, slug, topic, textWeights, categoryWeights, input });
}

function oracleLogistic({
  model: { artifact },
  slug,
  topic,
  textWeights,
  categoryWeights,
  input,
}: {
  model: TTopicModel;
  slug: string;
  topic: TTopicModel['artifact']['topics'][number];
  textWeights: Map<number, number>;
  categoryWeights: Map<string, number>;
  input: { text: TSparseVector; categories: string[]; hits: Map<string, TTermHit> };
}): number {
  let logit = topic.bias;
  logit += input.text.indices.reduce((sum, index, k) => sum + input.text.values[k]! * (textWeights.get(index) ?? 0), 0);
  for (const category of input.categories) logit += categoryWeights.get(category) ?? 0;
  termFeatures(input.hits.get(slug)).forEach((value, k) => {
    logit += value * (topic.termList[k] ?? 0);
  });
  artifact.termTopics.forEach((other, k) => {
    if (other !== slug) logit += Math.log1p(input.hits.get(other)?.score ?? 0) * (topic.otherTermLists[k] ?? 0);
  });
  return 1 / (1 + Math.exp(-logit));
}

function oracleSurface(paper: TPaperText, ngram: string): string {
  for (const text of [paper.title, paper.abstract]) {
    const kept = text.split(/[^A-Za-z0-9]+/).filter((word) => textTokens(word).length === 1).map((word) => ({ word, stem: stemmer(word.toLowerCase()) }));
    for (let i = 0; i < kept.length; i += 1) {
      if (kept[i]!.stem === ngram) return kept[i]!.word;
      if (i > 0 && `${kept[i - 1]!.stem} ${kept[i]!.stem}` === ngram) return `${kept[i - 1]!.word} ${kept[i]!.word}`;
    }
  }
  return ngram;
}

/** Term-list evidence for some topics of some papers, varied, so the term-list weights are exercised. */
function someHits(model: TTopicModel, n: number): Map<string, TTermHit> {
  return new Map(model.slugs.flatMap((slug, t) => ((n + 2 * t) % 7 === 0 ? [[slug, { score: ((n + t) % 5) * 0.75, matchedTerms: ['term'].slice(0, (n + t) % 2) }] as const] : [])));
}

describe('the topic model’s fast path', () => {
  it('gives every tuning paper the same text vector, neighbour-blended probabilities and explaining words as the plain computation', async () => {
    const model = await loadTopicModel();
    const { share } = model.artifact.neighbours;
    // Every fourth tuning paper: the plain neighbour search is slow, and over 200 papers meet every topic.
    const papers = readLabelledPapers().tuning.filter((_, n) => n % 4 === 0);
    const trainingTexts = model.artifact.neighbours.papers.map(({ text }) => new Map(text.indices.map((index, k) => [index, text.values[k]!])));
    const regressions = new Map(model.slugs.map((slug) => [slug, oracleRegression(model, slug)]));
    let largestGap = 0;
    papers.forEach((paper, n) => {
      const text = model.vectorizer.vectorize(paper);
      expect(text).toEqual(oracleVector(model, paper));
      const input = { text, categories: paper.categories, hits: someHits(model, n) };
      const votes = oracleVotes(model, trainingTexts, text);
      const probabilities = model.probabilities(input);
      for (const slug of model.slugs) {
        const probability = regressions.get(slug)!(input);
        const expected = votes ? (1 - share) * probability + share * (votes.get(slug) ?? 0) : probability;
        largestGap = Math.max(largestGap, Math.abs(probabilities.get(slug)! - expected));
      }
      const surfaceOf = model.vectorizer.surfaces(paper);
      for (const scorer of model.scorers.values()) for (const ngram of scorer.topNgrams(text, 3)) expect(surfaceOf(ngram)).toBe(oracleSurface(paper, ngram));
    });
    expect(papers.length).toBeGreaterThan(180);
    expect(largestGap).toBeLessThanOrEqual(1e-9);
  });
});
