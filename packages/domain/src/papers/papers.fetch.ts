import { AppError } from '../shared/errors.ts';

export const FETCH_TIMEOUT_MS = 30_000;
/** Larger than any real daily feed; keeps a misbehaving source from exhausting memory. */
export const FETCH_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Downloads one source with a timeout and a size limit, refusing anything but http(s). The size
 * is checked while streaming, so a server that lies about (or omits) Content-Length is cut off too.
 */
export async function fetchSource({ url, timeoutMs = FETCH_TIMEOUT_MS, maxBytes = FETCH_MAX_BYTES }: { url: string; timeoutMs?: number; maxBytes?: number }) {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AppError({ code: 'papers.source_invalid', status: 400, message: `Only http(s) sources can be fetched, not ${parsed.protocol}` });
  }
  const response = await fetch(parsed, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/json, application/x-ndjson, application/atom+xml;q=0.9, */*;q=0.5' },
    redirect: 'follow',
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError({ code: 'papers.source_failed', status: 502, message: `${url} answered ${response.status}` });
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new AppError({ code: 'papers.source_too_large', status: 413, message: `${url} is ${declared} bytes; the limit is ${maxBytes}` });
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new AppError({ code: 'papers.source_too_large', status: 413, message: `${url} sent more than ${maxBytes} bytes` });
    }
    chunks.push(value);
  }
  return { body: Buffer.concat(chunks).toString('utf8'), contentType: response.headers.get('content-type') ?? '' };
}
