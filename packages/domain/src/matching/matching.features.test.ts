import { describe, expect, it } from 'vitest';
import { buildVocabulary, cosine, createTextVectorizer, dot, norm, textNgrams, textTokens, weightedSum } from './matching.features.ts';

const papers = [
  { title: 'Diffusion models for images', abstract: 'We train a diffusion model that denoises images.' },
  { title: 'Large language models', abstract: 'Language models are trained on text; the models scale.' },
  { title: 'Diffusion language models', abstract: 'A diffusion model generates text.' },
];

describe('text features', () => {
  it('stems words and drops stop words, numbers and single letters', () => {
    expect(textTokens('The Models of 2024 denoise a Diffusion-based x')).toEqual(['model', 'denois', 'diffus', 'base']);
  });

  it('adds the bigrams of neighbouring kept words', () => {
    expect(textNgrams('diffusion models for images')).toEqual(['diffus', 'model', 'imag', 'diffus model', 'model imag']);
  });

  it('names an n-gram by the words the paper wrote', () => {
    const ngramSurface = createTextVectorizer(buildVocabulary({ papers })).surfaces(papers[0]!);
    expect(ngramSurface('diffus model')).toBe('Diffusion models');
    expect(ngramSurface('imag')).toBe('images');
    expect(ngramSurface('absent')).toBe('absent');
  });

  it('keeps only n-grams seen in enough papers, with a higher idf for the rarer ones', () => {
    const vocabulary = buildVocabulary({ papers, minDocumentFrequency: 2 });
    expect(vocabulary.terms).toContain('diffus model');
    expect(vocabulary.terms).not.toContain('imag');
    const idf = (term: string) => vocabulary.idf[vocabulary.terms.indexOf(term)]!;
    expect(idf('diffus')).toBeGreaterThan(idf('model'));
  });

  it('gives unit-length vectors, closer for papers on the same subject, and weighs the title higher', () => {
    const vectorizer = createTextVectorizer(buildVocabulary({ papers, minDocumentFrequency: 1 }));
    const [images, language, diffusionText] = papers.map((paper) => vectorizer.vectorize(paper));
    expect(norm(images!)).toBeCloseTo(1);
    expect(cosine(diffusionText!, images!)).toBeGreaterThan(0);
    expect(cosine(language!, images!)).toBeLessThan(cosine(diffusionText!, images!));
    const titled = vectorizer.vectorize({ title: 'Images', abstract: 'Text.' });
    const weight = (term: string) => titled.values[titled.indices.findIndex((index) => vectorizer.term(index) === term)]!;
    expect(weight('imag')).toBeGreaterThan(weight('text'));
  });

  it('sums weighted vectors and takes dot products over shared indices only', () => {
    const a = { indices: [0, 2], values: [1, 2] };
    const b = { indices: [2, 3], values: [3, 4] };
    expect(dot(a, b)).toBe(6);
    expect(weightedSum([{ vector: a, weight: 1 }, { vector: b, weight: -1 }])).toEqual({ indices: [0, 2, 3], values: [1, -1, -4] });
    expect(cosine({ indices: [], values: [] }, a)).toBe(0);
  });
});
