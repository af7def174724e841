// Turns a paper's title and abstract into a sparse TF-IDF vector: the text features of the
// learned topic matcher, and the space readers' profiles are compared in. The vocabulary and its
// idf come from the trained artifact, so every caller vectorises a paper the same way.
import { stemmer } from 'stemmer';

export type TPaperText = { title: string; abstract: string };

/** Indices ascending and unique; values aligned with them. Vectors from `vectorize` have unit length. */
export type TSparseVector = { indices: number[]; values: number[] };

/** Stemmed unigrams and bigrams ("diffus model") with their inverse document frequency. */
export type TTextVocabulary = { terms: string[]; idf: number[]; titleWeight: number };

export type TTextVectorizer = {
  vectorize: (paper: TPaperText) => TSparseVector;
  /** The n-gram behind an index, as stemmed words ("languag model"). */
  term: (index: number) => string;
  size: number;
};

export const FEATURES = {
  /** A word in the title counts as this many words of the abstract: titles name the subject. */
  titleWeight: 3,
  /** N-grams seen in fewer training papers than this say nothing general and are left out. */
  minDocumentFrequency: 2,
  maxTerms: 30_000,
} as const;

// Function words, and the boilerplate every abstract shares ("we propose", "results show").
const STOP_WORDS = new Set(
  (
    'a about above after again against all also although am an and any are as at be because been before being below between both but by can could ' +
    'did do does doing down during each either et etc few for from further had has have having here how however i if in into is it its itself just ' +
    'may might more most much must no nor not of off on once only or other our ours out over own per rather same should since so some such than ' +
    'that the their them then there these they this those through thus to too under until up upon us very via was we were what when where whether ' +
    'which while who whom why will with within without would yet you your'
  ).split(' '),
);

/** Lower-cased, stemmed words of `text`, without stop words, numbers or single letters. */
export function textTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word.length < 2 || STOP_WORDS.has(word) || /^\d+$/.test(word)) continue;
    tokens.push(stemmer(word));
  }
  return tokens;
}

/** Unigrams and the bigrams of neighbouring kept words, with repeats. */
export function textNgrams(text: string): string[] {
  const tokens = textTokens(text);
  const ngrams = [...tokens];
  for (let i = 1; i < tokens.length; i += 1) ngrams.push(`${tokens[i - 1]} ${tokens[i]}`);
  return ngrams;
}

/** How often each n-gram occurs, a title occurrence counting `titleWeight` times. */
export function ngramCounts(paper: TPaperText, titleWeight: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ngram of textNgrams(paper.title)) counts.set(ngram, (counts.get(ngram) ?? 0) + titleWeight);
  for (const ngram of textNgrams(paper.abstract)) counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
  return counts;
}

/**
 * The vocabulary of a training set: n-grams in at least `minDocumentFrequency` papers (the most
 * frequent `maxTerms` of them), sorted, with smoothed idf `ln((1 + n) / (1 + df)) + 1`.
 */
export function buildVocabulary({
  papers,
  minDocumentFrequency = FEATURES.minDocumentFrequency,
  maxTerms = FEATURES.maxTerms,
  titleWeight = FEATURES.titleWeight,
}: {
  papers: TPaperText[];
  minDocumentFrequency?: number;
  maxTerms?: number;
  titleWeight?: number;
}): TTextVocabulary {
  const documentFrequency = new Map<string, number>();
  for (const paper of papers) {
    for (const ngram of ngramCounts(paper, 1).keys()) documentFrequency.set(ngram, (documentFrequency.get(ngram) ?? 0) + 1);
  }
  const kept = [...documentFrequency]
    .filter(([, df]) => df >= minDocumentFrequency)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxTerms)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    terms: kept.map(([term]) => term),
    idf: kept.map(([, df]) => Math.log((1 + papers.length) / (1 + df)) + 1),
    titleWeight,
  };
}

/** Sublinear tf (`1 + ln tf`) times idf, L2-normalised; n-grams outside the vocabulary are dropped. */
export function createTextVectorizer(vocabulary: TTextVocabulary): TTextVectorizer {
  const indexOf = new Map(vocabulary.terms.map((term, index) => [term, index]));
  return {
    size: vocabulary.terms.length,
    term: (index) => vocabulary.terms[index] ?? '',
    vectorize: (paper) => {
      const entries: [number, number][] = [];
      for (const [ngram, count] of ngramCounts(paper, vocabulary.titleWeight)) {
        const index = indexOf.get(ngram);
        if (index !== undefined) entries.push([index, (1 + Math.log(count)) * vocabulary.idf[index]!]);
      }
      entries.sort((a, b) => a[0] - b[0]);
      return normalize({ indices: entries.map(([index]) => index), values: entries.map(([, value]) => value) });
    },
  };
}

export function norm(vector: TSparseVector): number {
  return Math.sqrt(vector.values.reduce((sum, value) => sum + value * value, 0));
}

/** The same direction at unit length; the zero vector stays zero. */
export function normalize(vector: TSparseVector): TSparseVector {
  const length = norm(vector);
  return length === 0 ? vector : { indices: vector.indices, values: vector.values.map((value) => value / length) };
}

/** Dot product of two sparse vectors, by merging their sorted indices. */
export function dot(a: TSparseVector, b: TSparseVector): number {
  let sum = 0;
  let i = 0;
  let j = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const left = a.indices[i]!;
    const right = b.indices[j]!;
    if (left === right) sum += a.values[i++]! * b.values[j++]!;
    else if (left < right) i += 1;
    else j += 1;
  }
  return sum;
}

/** Cosine similarity; 0 when either vector is zero. */
export function cosine(a: TSparseVector, b: TSparseVector): number {
  const lengths = norm(a) * norm(b);
  return lengths === 0 ? 0 : dot(a, b) / lengths;
}

/** Dot product of a sparse vector with a dense weight array (a linear model's text weights). */
export function dotDense(vector: TSparseVector, weights: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < vector.indices.length; k += 1) sum += vector.values[k]! * (weights[vector.indices[k]!] ?? 0);
  return sum;
}

/** Σ weight·vector over many vectors (a reader's profile from the papers they rated), as a sparse vector. */
export function weightedSum(terms: { vector: TSparseVector; weight: number }[]): TSparseVector {
  const sums = new Map<number, number>();
  for (const { vector, weight } of terms) {
    for (let k = 0; k < vector.indices.length; k += 1) {
      const index = vector.indices[k]!;
      sums.set(index, (sums.get(index) ?? 0) + weight * vector.values[k]!);
    }
  }
  const indices = [...sums.keys()].filter((index) => sums.get(index) !== 0).sort((a, b) => a - b);
  return { indices, values: indices.map((index) => sums.get(index)!) };
}
