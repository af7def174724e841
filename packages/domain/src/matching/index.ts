export { matchPapers, rescoreTopic, matchKeywords, findUnmatchedPapers } from './matching.usecases.ts';
export type { TPaperMatch } from './matching.usecases.ts';
export { MATCHING, scoredMatchesSql } from './matching.scoring.ts';
export { compileTerm, compileTerms, isAcronym } from './matching.terms.ts';
export type { TTermVariant } from './matching.terms.ts';
export { evaluateMatching, formatEvaluation } from './matching.eval.ts';
export type { TEvaluation, TTopicScore } from './matching.eval.ts';
export { buildVocabulary, cosine, createTextVectorizer, dot, dotDense, FEATURES, ngramCounts, norm, normalize, textNgrams, textTokens, weightedSum } from './matching.features.ts';
export type { TPaperText, TSparseVector, TTextVectorizer, TTextVocabulary } from './matching.features.ts';
