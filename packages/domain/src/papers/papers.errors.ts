// Paper ingest and fetch errors; the codes are listed here so a typo fails to compile.
export {};

declare module '../shared/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- merges into the map of every code
  interface TErrorCodes {
    'papers.invalid': true;
    'papers.unparseable': true;
    'papers.too_large': true;
    'papers.too_many_items': true;
    'papers.match_not_queued': true;
    'papers.source_invalid': true;
    'papers.source_failed': true;
    'papers.source_too_large': true;
  }
}
