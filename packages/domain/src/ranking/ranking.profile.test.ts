import { describe, expect, it } from 'vitest';
import type { TSparseVector } from '../matching/matching.features.ts';
import { createProfileBuilder, type TRating, type TReaderProfile } from './ranking.profile.ts';

// Papers as unit vectors over ten terms: "decoding" papers use terms 0-4, "folding" papers 5-9,
// each paper leaning on one term of its theme, so papers of a theme are alike but not equal.
function themed(theme: 'decoding' | 'folding', lean: number): TSparseVector {
  const first = theme === 'decoding' ? 0 : 5;
  const raw = [0, 1, 2, 3, 4].map((offset) => (offset === lean ? 3 : 1));
  const length = Math.hypot(...raw);
  return { indices: raw.map((_, offset) => first + offset), values: raw.map((value) => value / length) };
}

const papers = new Map<number, TSparseVector>([
  ...[0, 1, 2, 3, 4].map((lean) => [100 + lean, themed('decoding', lean)] as const),
  ...[0, 1, 2, 3, 4].map((lean) => [200 + lean, themed('folding', lean)] as const),
]);
const vectorOf = (paperId: number) => papers.get(paperId)!;
const up = (paperId: number): TRating => ({ paperId, rating: 1 });
const down = (paperId: number): TRating => ({ paperId, rating: -1 });
const affinityOf = (profile: TReaderProfile, paperId: number) => profile.affinity(vectorOf(paperId), profile.likedCosine(vectorOf(paperId)));

describe('a reader profile', () => {
  const build = createProfileBuilder(10);

  it('is trusted fully when the ratings agree with each other, and prefers what was rated up', () => {
    const profile = build({ ratings: [up(100), up(101), up(102), down(200), down(201), down(202)], vectorOf });
    expect(profile.trust).toBe(1);
    expect(affinityOf(profile, 103)).toBeGreaterThan(0.5);
    expect(affinityOf(profile, 203)).toBeLessThan(0);
    profile.clear();
  });

  it('is not trusted when its one "up" looks like the papers rated down (a slip), so it moves nothing', () => {
    const profile = build({ ratings: [up(200), down(201), down(202), down(203), down(204)], vectorOf });
    expect(profile.trust).toBe(0);
    profile.clear();
  });

  it('is trusted when the reader only rated down, and then only holds back papers like those', () => {
    const profile = build({ ratings: [down(200), down(201)], vectorOf });
    expect(profile.trust).toBe(1);
    expect(affinityOf(profile, 203)).toBeLessThan(0);
    expect(affinityOf(profile, 103)).toBe(0);
    expect(profile.likedCosine(vectorOf(203))).toBe(0);
    profile.clear();
  });

  it('is trusted after a first "more like this" and a first "less like this", and leans towards the first', () => {
    const profile = build({ ratings: [up(100), down(200)], vectorOf });
    expect(profile.trust).toBe(1);
    expect(affinityOf(profile, 103)).toBeGreaterThan(0);
    expect(affinityOf(profile, 203)).toBeLessThan(0);
    profile.clear();
  });

  it('holds back a paper like one of many varied papers rated down as firmly as if that one were rated alone', () => {
    // Twelve papers rated down, each on a subject of its own (terms 10-21), besides folding paper 200.
    const unrelated = new Map(Array.from({ length: 12 }, (_, k): [number, TSparseVector] => [300 + k, { indices: [10 + k], values: [1] }]));
    const vectorOfAny = (paperId: number) => papers.get(paperId) ?? unrelated.get(paperId)!;
    const buildWide = createProfileBuilder(22);
    const alone = buildWide({ ratings: [down(200)], vectorOf: vectorOfAny });
    const heldBackAlone = alone.affinity(vectorOf(201), alone.likedCosine(vectorOf(201)));
    alone.clear();
    const amongMany = buildWide({ ratings: [down(200), ...[...unrelated.keys()].map(down)], vectorOf: vectorOfAny });
    expect(amongMany.affinity(vectorOf(201), amongMany.likedCosine(vectorOf(201)))).toBeCloseTo(heldBackAlone, 12);
    expect(heldBackAlone).toBeLessThan(-0.5);
    amongMany.clear();
  });

  it('leaves nothing of one reader in the next reader\'s profile', () => {
    build({ ratings: [up(100), up(101), down(200)], vectorOf }).clear();
    const fresh = createProfileBuilder(10)({ ratings: [up(201)], vectorOf });
    const reused = build({ ratings: [up(201)], vectorOf });
    expect(affinityOf(reused, 202)).toBe(affinityOf(fresh, 202));
    expect(affinityOf(reused, 102)).toBe(0);
  });
});
