import { z } from 'zod';

// Field types the config fragments share, each with a message that reads well after the variable's name.
export const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be a port from 1 to 65535')
  .max(65535, 'must be a port from 1 to 65535');
export const positiveInt = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive');
export const ratio = z.coerce.number({ error: 'must be a number' }).min(0, 'must be from 0 to 1').max(1, 'must be from 0 to 1');
export const booleanish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
export const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

export const url = (protocols: string[]) =>
  z.url({ protocol: new RegExp(`^(${protocols.join("|")})$`) });
