// Topic errors; the codes are listed here so a typo fails to compile.
export {};

declare module '../shared/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- merges into the map of every code
  interface TErrorCodes {
    'topics.slug_taken': true;
    'topics.not_found': true;
  }
}
