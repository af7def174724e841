// Turns a paper's title and abstract into a sparse TF-IDF vector: the text features of the
// learned topic matcher, and the space readers' profiles are compared in. The vocabulary and its
// idf come from the trained artifact, so every caller vectorises a paper the same way.
import { stemmer } from 'stemmer';
import { z } from 'zod';

export type TPaperText = { title: string; abstract: string };

/** Indices ascending and unique; values aligned with them. Vectors from `vectorize` have unit length. */
export type TSparseVector = { indices: number[]; values: number[] };

/** A sparse vector as an artifact stores it. */
export const ZSparseVector = z
  .object({ indices: z.array(z.number().int().min(0)), values: z.array(z.number()) })
  .refine((v) => v.indices.length === v.values.length, 'indices and values differ in length');

/** Stemmed unigrams and bigrams ("diffus model") with their inverse document frequency. */
export type TTextVocabulary = { terms: string[]; idf: number[]; titleWeight: number };

export type TTextVectorizer = {
  vectorize: (paper: TPaperText) => TSparseVector;
  /** For one paper, the words it wrote for an n-gram (`surfaceFinder`), the paper split into words once. */
  surfaces: (paper: TPaperText) => (ngram: string) => string;
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

type TStem = (lowerCaseWord: string) => string;

/** Stemming is most of vectorising; a vectoriser remembers the stems of the words it has seen (bounded). */
const memoisedStemmer = (): TStem => memoisedByWord(stemmer);

/**
 * `compute` remembered per word, up to `limit` words (then forgotten all at once): vocabularies
 * of real text are a few tens of thousands of words, so the bound only stops a flood of junk.
 */
function memoisedByWord<T extends NonNullable<unknown> | null>(compute: (word: string) => T, limit = 200_000): (word: string) => T {
  const known = new Map<string, T>();
  return (word) => {
    let value = known.get(word);
    if (value === undefined) {
      if (known.size >= limit) known.clear();
      value = compute(word);
      known.set(word, value);
    }
    return value;
  };
}

const WORD_SEPARATOR = /[^A-Za-z0-9]+/;

const isKept = (lowerCaseWord: string) => lowerCaseWord.length >= 2 && !STOP_WORDS.has(lowerCaseWord) && !/^\d+$/.test(lowerCaseWord);

/** The kept words of `text` as written, each with its stem. */
function words(text: string, stem: TStem = stemmer): { word: string; stem: string }[] {
  const kept: { word: string; stem: string }[] = [];
  for (const word of text.split(WORD_SEPARATOR)) {
    const lower = word.toLowerCase();
    if (isKept(lower)) kept.push({ word, stem: stem(lower) });
  }
  return kept;
}

/** Lower-cased, stemmed words of `text`, without stop words, numbers or single letters. */
export function textTokens(text: string, stem: TStem = stemmer): string[] {
  return words(text, stem).map((entry) => entry.stem);
}

/**
 * The words of the paper that an n-gram stands for ("diffus model" → "diffusion models"), first
 * occurrence in the title, then the abstract; the n-gram itself when the paper does not contain it.
 * For many n-grams of one paper: the paper is split into words on the first call only.
 */
function surfaceFinder(paper: TPaperText, stem: TStem): (ngram: string) => string {
  let texts: { word: string; stem: string }[][] | undefined;
  return (ngram) => {
    texts ??= [words(paper.title, stem), words(paper.abstract, stem)];
    // Stems hold no space, so an n-gram with one is a bigram, and one without a unigram.
    const space = ngram.indexOf(' ');
    const first = ngram.slice(0, space);
    const second = ngram.slice(space + 1);
    for (const kept of texts) {
      for (let i = 0; i < kept.length; i += 1) {
        if (space < 0 && kept[i]!.stem === ngram) return kept[i]!.word;
        if (space >= 0 && i > 0 && kept[i - 1]!.stem === first && kept[i]!.stem === second) return `${kept[i - 1]!.word} ${kept[i]!.word}`;
      }
    }
    return ngram;
  };
}

/** Unigrams and the bigrams of neighbouring kept words, with repeats. */
export function textNgrams(text: string, stem: TStem = stemmer): string[] {
  const tokens = textTokens(text, stem);
  const ngrams = [...tokens];
  for (let i = 1; i < tokens.length; i += 1) ngrams.push(`${tokens[i - 1]} ${tokens[i]}`);
  return ngrams;
}

/** How often each n-gram occurs, a title occurrence counting `titleWeight` times. */
export function ngramCounts(paper: TPaperText, titleWeight: number, stem: TStem = stemmer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ngram of textNgrams(paper.title, stem)) counts.set(ngram, (counts.get(ngram) ?? 0) + titleWeight);
  for (const ngram of textNgrams(paper.abstract, stem)) counts.set(ngram, (counts.get(ngram) ?? 0) + 1);
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
  const stem = memoisedStemmer();
  for (const paper of papers) {
    for (const ngram of ngramCounts(paper, 1, stem).keys()) documentFrequency.set(ngram, (documentFrequency.get(ngram) ?? 0) + 1);
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

/** A kept word as the vectoriser sees it: its stem, its unigram's index, and the bigrams it starts. */
type TToken = { stem: string; unigram: number | undefined; bigramsFrom: Map<string, number> | undefined };

/**
 * Sublinear tf (`1 + ln tf`) times idf, L2-normalised; n-grams outside the vocabulary are dropped.
 * Counts go straight to vocabulary indices (bigrams through a two-level map), so no string is
 * built for the many n-grams the vocabulary does not hold: vectorising is on the matching path.
 * For the same reason each word as written is looked up once per process (kept or not, stem,
 * vocabulary entries; bounded like the stems), and counts go to a dense array reused from paper to paper.
 */
export function createTextVectorizer(vocabulary: TTextVocabulary): TTextVectorizer {
  const unigrams = new Map<string, number>();
  const bigrams = new Map<string, Map<string, number>>();
  vocabulary.terms.forEach((term, index) => {
    const space = term.indexOf(' ');
    if (space < 0) unigrams.set(term, index);
    else {
      const first = term.slice(0, space);
      const seconds = bigrams.get(first) ?? new Map<string, number>();
      seconds.set(term.slice(space + 1), index);
      bigrams.set(first, seconds);
    }
  });
  const stem = memoisedStemmer();
  // Each word as written, worked out once (bounded like the stems); null for a word that is not kept.
  const tokenOf = memoisedByWord((word): TToken | null => {
    const lower = word.toLowerCase();
    if (!isKept(lower)) return null;
    const wordStem = stem(lower);
    return { stem: wordStem, unigram: unigrams.get(wordStem), bigramsFrom: bigrams.get(wordStem) };
  });
  const counts = new Float64Array(vocabulary.terms.length);
  const counted: number[] = [];
  const add = (index: number, weight: number) => {
    if (counts[index] === 0) counted.push(index);
    counts[index]! += weight;
  };
  const countInto = (text: string, weight: number) => {
    let previous: TToken | null = null;
    for (const word of text.split(WORD_SEPARATOR)) {
      const token = tokenOf(word);
      if (token === null) continue;
      if (token.unigram !== undefined) add(token.unigram, weight);
      const bigram = previous?.bigramsFrom?.get(token.stem);
      if (bigram !== undefined) add(bigram, weight);
      previous = token;
    }
  };
  return {
    size: vocabulary.terms.length,
    term: (index) => vocabulary.terms[index] ?? '',
    vectorize: (paper) => {
      countInto(paper.title, vocabulary.titleWeight);
      countInto(paper.abstract, 1);
      const indices = counted.sort((a, b) => a - b).slice();
      const values = indices.map((index) => (1 + Math.log(counts[index]!)) * vocabulary.idf[index]!);
      for (const index of indices) counts[index] = 0;
      counted.length = 0;
      return normalize({ indices, values });
    },
    surfaces: (paper) => surfaceFinder(paper, stem),
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

/** The `count` largest entries of a vector (ties: the lower index), indices kept ascending. */
export function strongestTerms(vector: TSparseVector, count: number): TSparseVector {
  if (vector.indices.length <= count) return vector;
  const kept = vector.values
    .map((value, k) => ({ value, k }))
    .sort((a, b) => b.value - a.value || a.k - b.k)
    .slice(0, count)
    .map((entry) => entry.k)
    .sort((a, b) => a - b);
  return { indices: kept.map((k) => vector.indices[k]!), values: kept.map((k) => vector.values[k]!) };
}
