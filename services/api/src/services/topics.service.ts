import type { TDb } from '@paperboy/db';
import {
  createTopic,
  createTopicsRepository,
  listPublicTopics,
  listTopicPapers,
  listTopicsForAdmin,
  RESCORE_WINDOW_DAYS,
  updateTopic,
  type TTopicInput,
  type TTopicModel,
} from '@paperboy/domain';

export type TTopicService = ReturnType<typeof createTopicService>;

/** Topics as readers see them and as an operator edits them, from the JSON API or the console. */
export function createTopicService({ db, model }: { db: TDb; model: TTopicModel }) {
  return {
    listPublic: () => listPublicTopics({ db }),
    /** Every topic with its terms and how many papers it matched. */
    listForAdmin: () => listTopicsForAdmin({ db }),
    /** One topic and its best papers of the re-score window; undefined when no topic has the slug. */
    detail: async (slug: string) => {
      const { topic } = await createTopicsRepository({ db }).getTopicBySlug({ slug });
      if (!topic) return undefined;
      const since = new Date(Date.now() - RESCORE_WINDOW_DAYS * 86_400_000);
      return { topic, papers: await listTopicPapers({ db, slug, since, limit: 25 }), windowDays: RESCORE_WINDOW_DAYS };
    },
    /** Saving re-scores the recent papers against the topic, with the model loaded at start. */
    create: (topic: TTopicInput) => createTopic({ db, model, topic }),
    update: (slug: string, changes: Omit<TTopicInput, 'slug'>) => updateTopic({ db, model, slug, changes }),
  };
}
