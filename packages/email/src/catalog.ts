import { compileTemplate, type TCompiledTemplate } from './templates.ts';

/** Every message carries the same footer: why you got it, how to change it or leave, who sent it. */
export type TFooterData = {
  footerNote: string;
  preferencesUrl: string;
  unsubscribeUrl: string;
  postalAddress: string;
};

export type TConfirmationData = TFooterData & { frequency: string; topicList: string; confirmUrl: string };
export type TManagePreferencesData = TFooterData & { frequency: string; topicList: string };

export type TDigestPaperData = {
  position: number;
  title: string;
  url: string;
  authors: string;
  abstract: string;
  why: string;
  upvotes: number;
  codeUrl: string | null;
  projectUrl: string | null;
  /** One-click feedback on this paper, signed for this reader. */
  moreUrl: string;
  lessUrl: string;
};

export type TDigestData = TFooterData & {
  subject: string;
  preview: string;
  heading: string;
  intro: string;
  papers: TDigestPaperData[];
};

export function compileDigestTemplate({ dir }: { dir?: string } = {}): Promise<TCompiledTemplate<TDigestData>> {
  return compileTemplate<TDigestData>({ name: 'digest', dir });
}

export type TTransactionalTemplates = {
  confirmation: TCompiledTemplate<TConfirmationData>;
  'manage-preferences': TCompiledTemplate<TManagePreferencesData>;
};

export async function compileTransactionalTemplates({ dir }: { dir?: string } = {}): Promise<TTransactionalTemplates> {
  const [confirmation, managePreferences] = await Promise.all([
    compileTemplate<TConfirmationData>({ name: 'confirmation', dir }),
    compileTemplate<TManagePreferencesData>({ name: 'manage-preferences', dir }),
  ]);
  return { confirmation, 'manage-preferences': managePreferences };
}
