import { describe, expect, it } from 'vitest';
import { splitLikedPapers, ZLikedPapers } from './feedback.schemas.ts';

describe('the liked papers field', () => {
  it('takes arXiv ids and arxiv.org links, drops versions and duplicates', () => {
    const text = '2401.01234v2, https://arxiv.org/abs/2401.05678\nhttps://arxiv.org/pdf/2401.09999v3.pdf arXiv:hep-th/9901001 2401.01234';
    expect(ZLikedPapers.parse(splitLikedPapers(text))).toEqual(['2401.01234', '2401.05678', '2401.09999', 'hep-th/9901001']);
  });

  it('names the entry that is not an arXiv id or link', () => {
    const result = ZLikedPapers.safeParse(splitLikedPapers('2401.01234, https://example.org/abs/2401.05678'));
    expect(result.success).toBe(false);
    expect(result.error!.issues).toMatchObject([{ path: [1], message: '"https://example.org/abs/2401.05678" is not an arXiv id or arxiv.org link' }]);
  });

  it('refuses more than five papers', () => {
    const result = ZLikedPapers.safeParse(['2401.00001', '2401.00002', '2401.00003', '2401.00004', '2401.00005', '2401.00006']);
    expect(result.error!.issues[0]!.message).toBe('at most 5 papers');
    expect(ZLikedPapers.parse(splitLikedPapers('  \n , '))).toEqual([]);
  });
});
