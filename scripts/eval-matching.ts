// `npm run eval:matching [-- --min-f1 0.87 | -- --tuning-only]`: stores every labelled paper in a scratch database
// (created beside the one in DATABASE_URL and dropped afterwards), then reports precision, recall
// and F1 per topic and overall:
// - on the held-out part, matched by the committed model through `matchPapers`, as in production;
// - on the tuning part, by 5-fold cross-validation (each paper predicted by a model that did not see it);
// - for comparison, the hand-written term lists alone on the held-out part.
// Exits 1 when the held-out micro-F1 is below --min-f1, or when the model was trained on other data.
// --tuning-only skips the held-out part entirely (neither stored, matched nor printed): the mode for
// choosing anything about the model, which may only be decided on the tuning part.
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@paperboy/config';
import { describeConnectionError, type TDb } from '@paperboy/db';
import {
  crossValidatedPredictions,
  FOLDS,
  evaluateHeldOut,
  formatEvaluation,
  loadTopicModel,
  MATCHING,
  readLabelledPapers,
  readSeedTopics,
  scoreTopicPredictions,
  storeLabelledPapers,
  toTrainingPapers,
  trainingDataHash,
  withImplications,
  type TTopicModel,
} from '@paperboy/domain';
import { withScratchDatabase } from './scratch-database.ts';

const { values } = parseArgs({ options: { 'min-f1': { type: 'string' }, 'tuning-only': { type: 'boolean', default: false } } });
const minF1 = values['min-f1'] === undefined ? undefined : Number(values['min-f1']);
const isTuningOnly = values['tuning-only'];
if (minF1 !== undefined && !(minF1 >= 0 && minF1 <= 1)) {
  process.stderr.write('--min-f1 must be a number between 0 and 1\n');
  process.exit(2);
}
if (minF1 !== undefined && isTuningOnly) {
  process.stderr.write('--min-f1 applies to the held-out part, which --tuning-only skips\n');
  process.exit(2);
}
const config = loadConfigOrExit();

/** The tuning part, cross-validated with the committed model's λ, and whether the model was trained on it. */
async function evaluateTuning(db: TDb, model: TTopicModel) {
  const { tuning } = readLabelledPapers();
  await storeLabelledPapers({ db, labelled: tuning });
  const slugs = readSeedTopics().map((topic) => topic.slug);
  const predicted = crossValidatedPredictions({ papers: await toTrainingPapers({ db, labelled: tuning }), slugs, lambda: model.artifact.regularization });
  const actual = new Map(tuning.map((paper) => [paper.arxivId, withImplications(paper.topics, model.implications)]));
  const tuningScore = scoreTopicPredictions({ predicted, actual, slugs });
  const isCurrent = model.artifact.trainingDataHash === trainingDataHash({ papers: tuning, topicTerms: readSeedTopics() });
  return { tuningScore, isCurrent };
}

// The held-out papers are stored first and the tuning ones after: matching the held-out part sees no tuning paper.
async function evaluate(db: TDb, model: TTopicModel) {
  const heldOut = isTuningOnly ? undefined : await evaluateHeldOut({ db, model });
  return { heldOut, ...(await evaluateTuning(db, model)) };
}

let failed = false;
try {
  const model = await loadTopicModel();
  const { heldOut, tuningScore, isCurrent } = await withScratchDatabase({ url: config.database.url, prefix: 'paperboy_eval' }, (db) => evaluate(db, model));
  if (heldOut) process.stdout.write(`== Held-out part (never used in training), matched by the model ==\n${formatEvaluation(heldOut.model)}\n\n`);
  process.stdout.write(`== Tuning part, ${FOLDS}-fold cross-validated ==\n${formatEvaluation(tuningScore)}\n\n`);
  if (heldOut) {
    const baseline = heldOut.termListsOnly;
    process.stdout.write(`== Held-out part, term lists alone (threshold ${MATCHING.topicThreshold}) ==\nmicro F1 ${baseline.micro.f1.toFixed(3)}  macro F1 ${baseline.macro.f1.toFixed(3)}\n`);
  }
  if (!isCurrent) {
    process.stderr.write('The topic model was trained on other papers, labels or topic terms than the seeds hold: run `npm run train:topics`.\n');
    failed = true;
  }
  if (minF1 !== undefined && heldOut && heldOut.model.micro.f1 < minF1) {
    process.stderr.write(`Held-out micro-F1 ${heldOut.model.micro.f1.toFixed(3)} is below the floor ${minF1}\n`);
    failed = true;
  }
} catch (error) {
  process.stderr.write(`Evaluation failed: ${describeConnectionError(error) ?? (error as Error).message}\n`);
  failed = true;
}
process.exitCode = failed ? 1 : 0;
