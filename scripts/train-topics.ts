// `npm run train:topics`: trains the topic model on the tuning part of the labelled papers only
// (the held-out part is never read into training) and writes packages/domain/models/topics.model.json.
// A scratch database scores the topic term lists, exactly as matching does.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { loadConfigOrExit } from '@paperboy/config';
import { describeConnectionError } from '@paperboy/db';
import {
  defaultTopicModelPath,
  readLabelledPapers,
  readSeedTopics,
  storeLabelledPapers,
  toTrainingPapers,
  trainingDataHash,
  trainTopicModel,
} from '@paperboy/domain';
import { withScratchDatabase } from './scratch-database.ts';

const config = loadConfigOrExit();
try {
  const seedTopics = readSeedTopics();
  const { tuning } = readLabelledPapers();
  const { artifact, search } = await withScratchDatabase({ url: config.database.url, prefix: 'paperboy_train' }, async (db) => {
    await storeLabelledPapers({ db, labelled: tuning });
    const papers = await toTrainingPapers({ db, labelled: tuning });
    return trainTopicModel({ papers, slugs: seedTopics.map((topic) => topic.slug), trainingDataHash: trainingDataHash({ papers: tuning, topicTerms: seedTopics }) });
  });
  const path = defaultTopicModelPath();
  await mkdir(dirname(path), { recursive: true });
  const json = `${JSON.stringify(artifact)}\n`;
  await writeFile(path, json);
  for (const { lambda, microF1 } of search) process.stdout.write(`λ ${lambda}: cross-validated micro-F1 ${microF1.toFixed(3)}\n`);
  process.stdout.write(
    `Trained on ${artifact.trainingPapers} tuning papers with λ ${artifact.regularization}; ${artifact.features.terms.length} n-grams, ` +
      `${(json.length / 1024).toFixed(0)} KiB written to ${path}\n`,
  );
} catch (error) {
  process.stderr.write(`Training failed: ${describeConnectionError(error) ?? (error as Error).message}\n`);
  process.exitCode = 1;
}
