import { z } from 'zod';
import { businessKey } from '@experience-graph/server-kit';
import { voteKey } from '../../facts';
import { reject } from '../../rejection';
import { defineKind } from '../kind';
import { LINK_CUSTOMER, LINK_MODEL, personKey, planOf, rejections, TOUCHPOINT } from '../shared';

/** A vote on a community answer: one per voter and answer, never on one's own. */
export const answerVote = defineKind({
  field: 'answerVote',
  schema: z.object({ customerId: personKey, answerId: businessKey, helpful: z.boolean() }),
  keys: ({ customerId, answerId }) => ({ customerId, answerId }),
  plan(event, facts, { key }) {
    const { customerId, answerId, helpful } = event.data;
    const f = 'answerVote';
    const no = rejections(event);
    if (!facts.customer) return no.noCustomer(customerId);
    const answer = facts.answer;
    if (!answer) {
      return reject('UNKNOWN_REFERENCE', `${f}.answerId`, `No community answer has id ${answerId}`);
    }
    if (answer.authorId === customerId) {
      return reject(
        'CONFLICT',
        `${f}.customerId`,
        `Customer ${customerId} wrote answer ${answerId} and cannot vote on it`,
      );
    }
    if (answer.voteKey !== null && answer.voteKey !== key) {
      return reject(
        'CONFLICT',
        `${f}.answerId`,
        `Customer ${customerId} already voted on answer ${answerId}`,
      );
    }
    if (answer.sku !== null && facts.customer.optedOutSkus.includes(answer.sku)) {
      return no.suppressed(customerId, answer.sku);
    }
    // The author's helpfulness, super-user status and value change with the vote: the plan
    // names them for whoever must react to that.
    return planOf(event, key, {
      type: 'ANSWER_VOTE',
      customerId,
      sku: answer.sku,
      answerId,
      helpful,
      answerAuthorId: answer.authorId,
    });
  },
  effect(facts, { params }) {
    facts.votes.set(
      voteKey(params['customerId'] as string, params['answerId'] as string),
      params['key'] as string,
    );
  },
  write: `${TOUCHPOINT}
    SET t.channel = 'COMMUNITY', t.votedAnswerId = row.answerId, t.helpful = row.helpful
    WITH t, row
    MATCH (voter:Customer {id: row.customerId}),
          (answer:Touchpoint {answerId: row.answerId, type: 'COMMUNITY_ANSWER'})
    MERGE (voter)-[v:VOTED]->(answer)
      ON CREATE SET v.helpful = row.helpful, v.at = datetime(row.occurredAt),
                    v.eventId = row.eventId, v.key = row.key
    ${LINK_CUSTOMER} ${LINK_MODEL}`,
});
