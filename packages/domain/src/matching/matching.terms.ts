// Turns a topic term or a subscriber keyword into the full-text queries PostgreSQL runs.
// Plain English stemming handles most terms; three cases need help:
// - acronyms (LLM, VI, GP, OPT): the stemmer lowercases them, so "VI" would also match the
//   roman numeral and "OPT" the verb, and it never strips the plural of a vowel-less acronym
//   ("LLMs" stays `llms`). All-caps terms therefore match their lexeme or its plural, and are
//   confirmed case-sensitively against the original text.
// - hyphenation: "fine-tuning", "fine tuning" and "finetuning" are the same term.
// - spelling: "quantization" and "quantisation".

/** One query to run: `phraseto_tsquery('english', query)`, or `to_tsquery('simple', query)` for acronyms. */
export type TTermVariant = {
  config: 'english' | 'simple';
  query: string;
  /** A case-sensitive POSIX regex the title or abstract must also match, for acronyms. */
  pattern: string | null;
};

const ALL_CAPS = /^[A-Z][A-Z0-9]+$/;
// Parts of a hyphenated term that English full-text search drops as stop words: "in-context"
// spelled "in context" would shrink to just "context", so such terms get no spaced variant.
const STOP_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'in', 'of', 'on', 'only', 'or', 'the', 'to', 'with', 'off', 'out', 'up', 'no', 'not', 'all', 'any', 'same', 'own']);

export function isAcronym(term: string): boolean {
  return ALL_CAPS.test(term) && /[A-Z].*[A-Z]/.test(term);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function compileTerm(rawTerm: string): TTermVariant[] {
  const term = rawTerm.trim().replace(/\s+/g, ' ');
  if (isAcronym(term)) {
    const lexeme = term.toLowerCase();
    return [{ config: 'simple', query: `${lexeme} | ${lexeme}s`, pattern: `\\m${escapeRegex(term)}s?\\M` }];
  }
  const phrases = new Set([term]);
  if (term.includes('-')) {
    const parts = term.split(/[\s-]+/);
    if (!parts.some((part) => STOP_WORDS.has(part.toLowerCase()))) phrases.add(term.replaceAll('-', ' '));
    if (/^[A-Za-z]+-[A-Za-z]+/.test(term)) phrases.add(term.replace(/([A-Za-z])-([A-Za-z])/g, '$1$2'));
  }
  for (const phrase of [...phrases]) {
    if (/iz(e|es|ed|ing|ation|ations|er|ers)\b/i.test(phrase)) phrases.add(phrase.replace(/iz(e|es|ed|ing|ation|ations|er|ers)\b/gi, 'is$1'));
  }
  return [...phrases].map((query) => ({ config: 'english', query, pattern: null }));
}

export type TCompiledTerm = TTermVariant & { ownerId: number; term: string; weight: number };

/** Flattens weighted terms of many owners (topics or keywords) into rows for `jsonb_to_recordset`. */
export function compileTerms(owners: { id: number; terms: { term: string; weight: number }[] }[]): TCompiledTerm[] {
  return owners.flatMap((owner) =>
    owner.terms.flatMap(({ term, weight }) => compileTerm(term).map((variant) => ({ ...variant, ownerId: owner.id, term, weight }))),
  );
}
