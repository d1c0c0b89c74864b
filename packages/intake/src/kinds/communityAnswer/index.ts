import { z } from 'zod';
import { businessKey, text } from '@experience-graph/server-kit';
import { reject } from '../../rejection';
import { sentimentOf } from '../../sentiment';
import { defineKind } from '../kind';
import { LINK_CUSTOMER, LINK_MODEL, personKey, planOf, TOUCHPOINT, voiceText } from '../shared';
import { voiceRefusal } from '../voice';

/** An answer in the community: the author's touchpoint, keyed by its answer id for votes. */
export const communityAnswer = defineKind({
  field: 'communityAnswer',
  schema: z.object({
    customerId: personKey,
    sku: businessKey,
    answerId: businessKey,
    questionText: text(2000)
      .nullish()
      .transform((v) => v ?? null),
    text: voiceText,
  }),
  keys: ({ customerId, sku, answerId }) => ({ customerId, sku, answerId }),
  plan(event, facts, { key }) {
    const refused = voiceRefusal(event, facts);
    if (refused) return refused;
    const { customerId, sku, answerId, questionText, text } = event.data;
    // A resend of the event that recorded it is not a reuse.
    if (facts.answer && facts.answer.key !== key) {
      return reject('CONFLICT', 'communityAnswer.answerId', `Answer ${answerId} already exists`);
    }
    return planOf(event, key, {
      type: 'COMMUNITY_ANSWER',
      customerId,
      sku,
      answerId,
      questionText,
      text,
      sentiment: sentimentOf(text),
    });
  },
  effect(facts, { params }) {
    facts.answers.set(params['answerId'] as string, {
      authorId: params['customerId'] as string,
      sku: params['sku'] as string,
      key: params['key'] as string,
    });
  },
  write: `${TOUCHPOINT}
    SET t.channel = 'COMMUNITY', t.answerId = row.answerId, t.questionText = row.questionText,
        t.text = row.text, t.sentiment = row.sentiment
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
});
