import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local stand-in for the arXiv API's `query?id_list=` endpoint: real HTTP, real Atom.

export type TArxivStub = {
  url: string;
  /** The id_list of every request, in order. */
  requests: string[][];
  /** While true, every request is answered 503. */
  setFailing: (isFailing: boolean) => void;
  close: () => Promise<void>;
};

export function atomFeed(entries: { arxivId: string; title: string }[]): string {
  const items = entries.map(
    ({ arxivId, title }) => `
  <entry>
    <id>http://arxiv.org/abs/${arxivId}v1</id>
    <published>2024-01-02T18:59:59Z</published>
    <title>${title}</title>
    <summary>An abstract about ${title.toLowerCase()}.</summary>
    <author><name>Ada Lovelace</name></author>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  <title>ArXiv Query</title>${items.join('')}\n</feed>\n`;
}

/** Answers with an entry for each requested id it knows (`titles`), and none for the others. */
export async function startArxivStub({ titles }: { titles: Record<string, string> }): Promise<TArxivStub> {
  const requests: string[][] = [];
  let isFailing = false;
  const server = createServer((request, response) => {
    const ids = (new URL(request.url ?? '/', 'http://stub').searchParams.get('id_list') ?? '').split(',').filter(Boolean);
    requests.push(ids);
    if (isFailing) {
      response.writeHead(503).end('arXiv is resting');
      return;
    }
    const known = ids.filter((id) => titles[id]).map((arxivId) => ({ arxivId, title: titles[arxivId]! }));
    response.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' }).end(atomFeed(known));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/query`,
    requests,
    setFailing: (value) => {
      isFailing = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
