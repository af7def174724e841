// Simulated readers for the ranking evaluation: each has a hidden interest drawn from labelled
// papers, subscribes to broad topics, and rates what they get as a reader with that interest would.

/** A hidden interest: every paper labelled with all of `labels` (one topic, or a narrower theme inside a topic). */
export type TInterest = { name: string; labels: string[] };

export type TSimulatedReader = { name: string; interest: TInterest; topics: string[] };

// Narrower themes: papers of the second topic inside the broad first one (the pairs that co-occur
// most in the labelled corpus). A reader with such an interest subscribes to the broad topic.
const THEMES: [string, string][] = [
  ['generative-models', 'diffusion-models'],
  ['llms', 'efficient-inference'],
  ['llms', 'llm-compression'],
];

/** A small seeded generator (mulberry32), so an evaluation is reproducible. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return { next, pick: <T>(items: T[]): T => items[Math.floor(next() * items.length)]! };
}

export type TRandom = ReturnType<typeof createRandom>;

/**
 * The interests worth simulating: every topic and theme with at least `minPapers` labelled papers,
 * so that each simulated week has some papers a reader wants.
 */
export function interestsOf({ labels, minPapers }: { labels: Map<string, string[]>; minPapers: number }): TInterest[] {
  const count = (wanted: string[]) => [...labels.values()].filter((paperLabels) => wanted.every((label) => paperLabels.includes(label))).length;
  const topics = [...new Set([...labels.values()].flat())].sort().map((topic) => ({ name: topic, labels: [topic] }));
  const themes = THEMES.map(([broad, narrow]) => ({ name: `${narrow} within ${broad}`, labels: [broad, narrow] }));
  return [...topics, ...themes].filter((interest) => count(interest.labels) >= minPapers);
}

/**
 * `count` readers, each with a hidden interest and the broad topic it lies in, plus one or two
 * other topics: what they subscribe to is wider than what they want.
 */
export function createReaders({ interests, topics, count, random }: { interests: TInterest[]; topics: string[]; count: number; random: TRandom }): TSimulatedReader[] {
  return Array.from({ length: count }, (_, index) => {
    const interest = interests[index % interests.length]!;
    const subscribed = new Set([interest.labels[0]!]);
    const extra = 1 + Math.floor(random.next() * 2);
    while (subscribed.size < 1 + extra) subscribed.add(random.pick(topics));
    return { name: `reader-${index + 1}`, interest, topics: [...subscribed].sort() };
  });
}

export function isWanted(interest: TInterest, paperLabels: string[]): boolean {
  return interest.labels.every((label) => paperLabels.includes(label));
}

/** What a reader with this interest clicks: up when the paper is wanted, down otherwise, flipped with probability `noise`. */
export function rate({ interest, paperLabels, random, noise }: { interest: TInterest; paperLabels: string[]; random: TRandom; noise: number }): 1 | -1 {
  const isUp = isWanted(interest, paperLabels) !== random.next() < noise;
  return isUp ? 1 : -1;
}

/** Wanted papers among the first ten, out of ten (a digest with fewer papers counts its empty places as misses). */
export function precisionAt10(interest: TInterest, digestLabels: string[][]): number {
  return digestLabels.slice(0, 10).filter((paperLabels) => isWanted(interest, paperLabels)).length / 10;
}

export type TArm = 'topics' | 'learned';
type TWeekScore = { week: number; topics: number; learned: number; ceiling: number; oneTopic: { topics: number; learned: number } };

/**
 * Mean precision@10 per week for both arms, and the reader the learned ranking treats worst:
 * the lowest learned-minus-topics precision averaged over the weeks after the first ratings.
 */
export function summarise(scores: { reader: string; week: number; arm: TArm | 'ceiling'; precision: number; isOneTopic?: boolean }[]) {
  const weeks = [...new Set(scores.map((score) => score.week))].sort((a, b) => a - b);
  const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
  const scoresOf = (week: number, arm: TArm | 'ceiling') => scores.filter((score) => score.week === week && score.arm === arm);
  const of = (week: number, arm: TArm | 'ceiling') => mean(scoresOf(week, arm).map((score) => score.precision));
  const oneTopicOf = (week: number, arm: TArm) => mean(scoresOf(week, arm).flatMap((score) => (score.isOneTopic === undefined ? [] : [Number(score.isOneTopic)])));
  const table: TWeekScore[] = weeks.map((week) => ({
    week,
    topics: of(week, 'topics'),
    learned: of(week, 'learned'),
    ceiling: of(week, 'ceiling'),
    oneTopic: { topics: oneTopicOf(week, 'topics'), learned: oneTopicOf(week, 'learned') },
  }));
  const perReader = new Map<string, number[]>();
  for (const score of scores) {
    if (score.week === weeks[0] || score.arm === 'ceiling') continue;
    const signed = score.arm === 'learned' ? score.precision : -score.precision;
    perReader.set(score.reader, [...(perReader.get(score.reader) ?? []), signed]);
  }
  let worst = { reader: '', difference: Infinity };
  for (const [reader, signed] of perReader) {
    const difference = signed.reduce((sum, value) => sum + value, 0) / (signed.length / 2);
    if (difference < worst.difference) worst = { reader, difference };
  }
  return { table, worst };
}

export function formatSummary({ table, worst }: ReturnType<typeof summarise>): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}`;
  const lines = [
    '| week | topic-only P@10 | learned P@10 | gain (points) | ceiling P@10 | one-topic digests, topic-only / learned (%) |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of table) {
    lines.push(
      `| ${row.week} | ${percent(row.topics)} | ${percent(row.learned)} | ${percent(row.learned - row.topics)} | ${percent(row.ceiling)} | ${percent(row.oneTopic.topics)} / ${percent(row.oneTopic.learned)} |`,
    );
  }
  lines.push('', 'One-topic digests: of the readers whose week held papers of several of their topics, those whose digest held at most one of them.');
  lines.push('', `Worst reader, learned minus topic-only P@10 averaged over weeks 2-${table.length}: ${percent(worst.difference)} points (${worst.reader})`);
  return lines.join('\n');
}
