// Deliverability errors, the bounce webhooks' included; listed here so a typo fails to compile.
export {};

declare module '../shared/errors.ts' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- merges into the map of every code
  interface TErrorCodes {
    'deliverability.suppression_not_found': true;
    'webhooks.body_invalid': true;
    'webhooks.certificate_unavailable': true;
    'webhooks.not_configured': true;
    'webhooks.signature_invalid': true;
    'webhooks.topic_unknown': true;
  }
}
