// Titles from arXiv and Hugging Face carry LaTeX-ish markup and hard line breaks. Digests show
// them as plain text, so the common cases are turned into readable Unicode; anything rarer is
// left as it is rather than guessed at.

const GREEK: Record<string, string> = {
  alpha: 'α', beta: 'β', gamma: 'γ', delta: 'δ', epsilon: 'ε', varepsilon: 'ε', zeta: 'ζ', eta: 'η', theta: 'θ',
  iota: 'ι', kappa: 'κ', lambda: 'λ', mu: 'μ', nu: 'ν', xi: 'ξ', pi: 'π', rho: 'ρ', sigma: 'σ', tau: 'τ',
  upsilon: 'υ', phi: 'φ', varphi: 'φ', chi: 'χ', psi: 'ψ', omega: 'ω', Gamma: 'Γ', Delta: 'Δ', Theta: 'Θ',
  Lambda: 'Λ', Xi: 'Ξ', Pi: 'Π', Sigma: 'Σ', Phi: 'Φ', Psi: 'Ψ', Omega: 'Ω',
};

const SYMBOLS: Record<string, string> = {
  times: '×', cdot: '·', infty: '∞', leq: '≤', le: '≤', geq: '≥', ge: '≥', neq: '≠', approx: '≈', to: '→',
  rightarrow: '→', leftarrow: '←', pm: '±', sim: '~', ell: 'ℓ', partial: '∂', nabla: '∇', in: '∈',
};

const FUNCTIONS = new Set(['log', 'exp', 'sin', 'cos', 'tanh', 'min', 'max', 'arg', 'det', 'lim', 'sup', 'inf']);

// Escaped specials are parked on private-use code points while markup is stripped.
const ESCAPED = '&%$#_{}';
const PLACEHOLDER_BASE = 0xe000;

/** Collapses every run of whitespace (line breaks included) into one space and trims. */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Plain-text display form of a title: LaTeX commands, math dollars and BibTeX braces removed. */
export function normalizeTitle(title: string): string {
  let text = normalizeWhitespace(title);
  // Escaped specials first, so `\&` and `\$` survive the steps that strip `$` and backslashes.
  text = text.replace(/\\([&%$#_{}])/g, (_match, char: string) => String.fromCharCode(PLACEHOLDER_BASE + ESCAPED.indexOf(char)));
  // Formatting commands keep their argument: \textbf{x}, \emph{x}, \mathcal{x}, \texttt{x}.
  text = text.replace(/\\(?:text\w*|emph|math\w*|bm|boldsymbol|operatorname|mbox|underline)\s*\{([^{}]*)\}/g, '$1');
  text = text.replace(/\\([A-Za-z]+)\b\s?/g, (match, name: string) =>
    FUNCTIONS.has(name) ? `${name} ` : (GREEK[name] ?? SYMBOLS[name] ?? match),
  );
  text = text.replace(/\$([^$]*)\$/g, '$1');
  text = text.replace(/[{}]/g, '');
  text = text.replace(/---/g, '—').replace(/--/g, '–');
  text = text.replace(/``/g, '“').replace(/''/g, '”');
  text = text.replace(/[\uE000-\uE006]/g, (char) => ESCAPED[char.charCodeAt(0) - PLACEHOLDER_BASE]!);
  return normalizeWhitespace(text);
}
