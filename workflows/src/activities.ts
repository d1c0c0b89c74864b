import type { SegmentRepository } from '@experience-graph/segments';
import { ApplicationFailure } from '@temporalio/common';
import type { Graph } from '@experience-graph/neo4j';
import type { InterventionOutcome, InterventionReason } from './contracts';
import { HEALTH_THRESHOLDS } from '@experience-graph/device-health';
import type { JourneyStage } from './journey-machine';
import type { LifecycleStage } from './lifecycle-machine';

/** No reading for this long while the device was reporting: it has gone silent. */
export const SILENCE_AFTER_MS = HEALTH_THRESHOLDS.silenceAfterHours * 3600_000;

export interface ActivityDependencies {
  graph: Graph;
  /** Keeps segment memberships current when a device's stage or owner changes. */
  segments?: SegmentRepository;
}

/** What the device lifecycle hands the graph after deciding on an event. */
export interface RecordDeviceStateInput {
  workflowId: string;
  serial: string;
  eventId: string;
  occurredAt: string;
  /** The owner after the event, or null while unsold or after an opt-out. */
  customerId: string | null;
  stage: LifecycleStage | null;
  sequence: number;
}

export interface RecordJourneyStageInput {
  workflowId: string;
  customerId: string;
  sku: string;
  occurredAt: string;
  stage: JourneyStage;
  sequence: number;
  campaignId: string | null;
}

/** The result of an action that depends on consent: whether it happened, and why not. */
export type ActionOutcome =
  { done: true; channel: string; reference: string } | { done: false; reason: string };

// One statement, so the ownership and the stage land together or not at all. The sequence guard
// makes a retried or overtaken write harmless: a stage is only replaced by a newer one.
const RECORD_DEVICE_STATE = `
OPTIONAL MATCH (d:Device {serial: $serial})
OPTIONAL MATCH (c:Customer {id: $customerId})
WITH d, c
WHERE d IS NOT NULL AND ($customerId IS NULL OR c IS NOT NULL)
SET d.lifecycleWorkflowId = $workflowId
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END |
  MERGE (c)-[o:OWNS]->(d) ON CREATE SET o.since = datetime($occurredAt))
// Each change of stage is also appended to the device's stage history (stages and their times
// as two lists of the same length; a lifecycle changes stage a handful of times).
FOREACH (_ IN CASE WHEN $stage IS NOT NULL AND coalesce(d.stageSequence, 0) < $sequence
                        AND (d.stage IS NULL OR d.stage <> $stage) THEN [1] ELSE [] END |
  SET d.stageHistory = coalesce(d.stageHistory, []) + [$stage],
      d.stageHistoryAt = coalesce(d.stageHistoryAt, []) + [datetime($occurredAt)])
FOREACH (_ IN CASE WHEN $stage IS NOT NULL AND coalesce(d.stageSequence, 0) < $sequence THEN [1] ELSE [] END |
  SET d.stage = $stage, d.stageChangedAt = datetime($occurredAt), d.stageSequence = $sequence)
WITH d
OPTIONAL MATCH (t:Touchpoint {key: $eventId})
FOREACH (_ IN CASE WHEN t IS NULL THEN [] ELSE [1] END | MERGE (t)-[:ABOUT_DEVICE]->(d))
RETURN d.stage AS stage`;

const RECORD_JOURNEY_STAGE = `
MATCH (c:Customer {id: $customerId}), (m:ProductModel {sku: $sku})
MERGE (c)-[j:JOURNEY]->(m)
  ON CREATE SET j.startedAt = datetime($occurredAt)
SET j.workflowId = $workflowId
FOREACH (_ IN CASE WHEN coalesce(j.sequence, 0) < $sequence THEN [1] ELSE [] END |
  SET j.stage = $stage, j.stageChangedAt = datetime($occurredAt), j.sequence = $sequence,
      j.campaignId = $campaignId)
RETURN j.stage AS stage`;

/** Consent as stored now: checked at the moment of acting, never from a copy in the workflow. */
const CONSENT = `
OPTIONAL MATCH (k:Consent {customerId: $customerId, purpose: $purpose})
RETURN coalesce(k.granted, false) AS granted, coalesce(k.channels, []) AS channels`;

// A proximity coupon: an active offer of this store for this model, issued once per visit event
// (the code derives from the event id, so a retried activity finds the coupon it made).
// Touchpoints the lifecycles make are keyed `system:<reference>`: the touchpoint key is unique,
// and no sender's key starts so.
const ISSUE_COUPON = `
MATCH (c:Customer {id: $customerId}), (s:Store {id: $storeId})
MATCH (offer:Offer {active: true})-[:AT]->(s), (offer)-[:FOR]->(:ProductModel {sku: $sku})
WITH c, s, offer ORDER BY offer.amount DESC LIMIT 1
MERGE (coupon:Coupon {code: $code})
  ON CREATE SET coupon.issuedAt = datetime($now),
                coupon.expiresAt = datetime($now) + duration({days: offer.validDays})
MERGE (coupon)-[:ISSUED_TO]->(c)
MERGE (coupon)-[:OF]->(offer)
MERGE (t:Touchpoint {key: 'system:' + $code})
  ON CREATE SET t.eventId = $code, t.type = 'COUPON_OFFERED', t.occurredAt = datetime($now), t.channel = 'APP',
                t.delivery = 'delivered'
MERGE (c)-[:HAD]->(t)
MERGE (t)-[:AT]->(s)
WITH coupon, t
MATCH (m:ProductModel {sku: $sku})
MERGE (t)-[:ABOUT]->(m)
RETURN coupon.code AS code`;

const PURCHASED_SINCE = `
RETURN EXISTS {
  MATCH (:Customer {id: $customerId})-[:PLACED]->(:Order)-[:CONTAINS]->(:Device)-[:INSTANCE_OF]->(:ProductModel {sku: $sku})
} AS purchased`;

// A system-initiated touchpoint (an offer or a help message), keyed so it is made once.
const RECORD_OUTREACH = `
MATCH (c:Customer {id: $customerId}), (m:ProductModel {sku: $sku})
MERGE (t:Touchpoint {key: 'system:' + $reference})
  ON CREATE SET t.eventId = $reference, t.type = $type, t.occurredAt = datetime($now), t.channel = $channel,
                t.delivery = 'delivered'
MERGE (c)-[:HAD]->(t)
MERGE (t)-[:ABOUT]->(m)
WITH t
OPTIONAL MATCH (d:Device {serial: $serial})
FOREACH (_ IN CASE WHEN d IS NULL THEN [] ELSE [1] END | MERGE (t)-[:ABOUT_DEVICE]->(d))
RETURN t.eventId AS reference`;

// Opting out of a product: every relationship between the person and it goes; touchpoints and
// orders stay, anonymous, so campaign and product aggregates still count them. The suppression
// list on the customer is what keeps later events for this product from reaching them.
// A person being erased is the erasure's alone: its steps anonymise what this would only unlink.
// The journey and the device lifecycle both wipe on an opt-out, perhaps at once: the first
// statement locks the person, so the second wipe reads what the first one left.
const LOCK_FOR_WIPE = `
MATCH (c:Customer {id: $customerId}), (:ProductModel {sku: $sku})
WHERE c.erasureId IS NULL
SET c.optedOutSkus = CASE WHEN $sku IN coalesce(c.optedOutSkus, []) THEN c.optedOutSkus
                          ELSE coalesce(c.optedOutSkus, []) + $sku END
RETURN c.id AS id`;

const WIPE_CUSTOMER_PRODUCT = `
MATCH (c:Customer {id: $customerId}), (m:ProductModel {sku: $sku})
WHERE c.erasureId IS NULL
CALL (c, m) { MATCH (c)-[r:JOURNEY]->(m) DELETE r }
CALL (c, m) { MATCH (c)-[r:OWNS]->(:Device)-[:INSTANCE_OF]->(m) DELETE r }
// What the person did about the product keeps counting in funnels and attribution, held by an
// anonymous placeholder with no id and no link back to them: their orders of it, their
// touchpoints about it, and when they were referred (a touch that shares in attribution).
CALL (c, m) {
  WITH c, m
  WHERE EXISTS { (c)-[:PLACED]->(:Order)-[:CONTAINS]->(:Device)-[:INSTANCE_OF]->(m) }
     OR EXISTS { (c)-[:HAD]->(:Touchpoint)-[:ABOUT]->(m) }
  CREATE (p:AnonymousPerson)
  SET p.referredAt = head([()-[r:REFERRED]->(c) | r.at])
  WITH c, m, p
  CALL (c, m, p) {
    MATCH (c)-[r:PLACED]->(o:Order)-[:CONTAINS]->(:Device)-[:INSTANCE_OF]->(m)
    WITH DISTINCT r, o, p
    MERGE (p)-[:PLACED]->(o)
    DELETE r
  }
  CALL (c, m, p) {
    MATCH (c)-[r:HAD]->(t:Touchpoint)-[:ABOUT]->(m)
    WITH DISTINCT r, t, p
    MERGE (p)-[:HAD]->(t)
    DELETE r
  }
}
CALL (c, m) { MATCH (c)<-[r:ISSUED_TO]-(:Coupon)-[:OF]->(:Offer)-[:FOR]->(m) DELETE r }
RETURN count(*) AS wiped`;

// An intervention case on a device; its steps are touchpoints keyed by case and step, so each
// is recorded once however often Temporal retries.
const OPEN_INTERVENTION = `
MATCH (d:Device {serial: $serial})
MERGE (i:Intervention {id: $interventionId})
  ON CREATE SET i.reason = $reason, i.status = 'OPEN', i.openedAt = datetime($now),
                i.workflowId = $workflowId
MERGE (i)-[:FOR]->(d)
RETURN i.id AS id`;

const INTERVENTION_STEP = `
MATCH (i:Intervention {id: $interventionId})-[:FOR]->(d:Device)
MERGE (t:Touchpoint {key: 'system:' + $interventionId + ':' + $type})
  ON CREATE SET t.eventId = $interventionId + ':' + $type, t.type = $type, t.occurredAt = datetime($now), t.channel = $channel,
                t.delivery = 'delivered'
MERGE (t)-[:ABOUT_DEVICE]->(d)
MERGE (t)-[:FOR_INTERVENTION]->(i)
SET i.status = CASE $type WHEN 'ESCALATED_TO_EXPERT' THEN 'ESCALATED'
                          WHEN 'INTERVENTION_NOTIFIED' THEN 'AWAITING_CONFIRMATION'
                          ELSE i.status END,
    i.escalatedAt = CASE WHEN $type = 'ESCALATED_TO_EXPERT' THEN coalesce(i.escalatedAt, datetime($now)) ELSE i.escalatedAt END,
    i.partShippedAt = CASE WHEN $type = 'PART_SHIPPED' THEN coalesce(i.partShippedAt, datetime($now)) ELSE i.partShippedAt END,
    i.notifiedVia = CASE WHEN $type = 'INTERVENTION_NOTIFIED' THEN $channel ELSE i.notifiedVia END
WITH t, d
OPTIONAL MATCH (c:Customer {id: $customerId})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | MERGE (c)-[:HAD]->(t))
WITH t, d
MATCH (d)-[:INSTANCE_OF]->(m:ProductModel)
MERGE (t)-[:ABOUT]->(m)
RETURN t.eventId AS eventId`;

const CLOSE_INTERVENTION = `
MATCH (i:Intervention {id: $interventionId})
SET i.status = 'CLOSED', i.outcome = coalesce(i.outcome, $outcome),
    i.closedAt = coalesce(i.closedAt, datetime($now))
RETURN i.id AS id`;

/**
 * Builds the lifecycle activities around their dependencies; the worker owns the connections.
 * Every activity is idempotent, because Temporal may run it more than once, and reads consent
 * from the graph at the moment it acts.
 */
export function createActivities({ graph, segments }: ActivityDependencies) {
  const consent = async (customerId: string, purpose: string) => {
    const [row] = await graph.read<{ granted: boolean; channels: string[] }>(CONSENT, {
      customerId,
      purpose,
    });
    return row ?? { granted: false, channels: [] };
  };

  const outreach = async (input: {
    customerId: string;
    sku: string;
    serial: string | null;
    type: string;
    reference: string;
    channel: string;
    now: string;
  }) => {
    await graph.write(RECORD_OUTREACH, input);
  };

  return {
    /** Records the stage the device lifecycle decided, and its owner. */
    async recordDeviceState(
      input: RecordDeviceStateInput,
    ): Promise<{ stage: LifecycleStage | null }> {
      const rows = await graph.write<{ stage: LifecycleStage | null }>(RECORD_DEVICE_STATE, {
        ...input,
      });
      const row = rows[0];
      if (row) {
        // Segments over device stages follow at once (the write is idempotent if this fails).
        await segments?.refresh([input.customerId]);
        return { stage: row.stage };
      }
      // Nothing was written: say which key is unknown. Retrying cannot create it.
      const [found] = await graph.read<{ device: boolean }>(
        'RETURN EXISTS { (:Device {serial: $serial}) } AS device',
        { serial: input.serial },
      );
      if (!found?.device) {
        throw ApplicationFailure.nonRetryable(
          `No device has serial ${input.serial}`,
          'UnknownDevice',
        );
      }
      throw ApplicationFailure.nonRetryable(
        `No customer has id ${input.customerId}`,
        'UnknownCustomer',
      );
    },

    /** Records the journey stage of a person with a product model. */
    async recordJourneyStage(input: RecordJourneyStageInput): Promise<void> {
      const rows = await graph.write(RECORD_JOURNEY_STAGE, { ...input });
      if (rows.length === 0) {
        throw ApplicationFailure.nonRetryable(
          `No customer ${input.customerId} or product model ${input.sku}`,
          'UnknownJourneyKey',
        );
      }
    },

    /**
     * Offers an engaged person near a partner store that store's coupon, if their consent
     * allows location-based offers now and the store has an active offer for the product.
     */
    async considerProximityCoupon(input: {
      customerId: string;
      sku: string;
      storeId: string;
      eventId: string;
      now: string;
    }): Promise<ActionOutcome> {
      if (!(await consent(input.customerId, 'LOCATION_OFFERS')).granted) {
        return { done: false, reason: 'no consent to location-based offers' };
      }
      const [row] = await graph.write<{ code: string }>(ISSUE_COUPON, {
        ...input,
        code: `CPN-${input.eventId}`,
      });
      if (!row)
        return {
          done: false,
          reason: `store ${input.storeId} has no active offer for ${input.sku}`,
        };
      return { done: true, channel: 'APP', reference: row.code };
    },

    /** Reminds an engaged person who has not bought, through a channel they allowed. */
    async sendRetargetingOffer(input: {
      customerId: string;
      sku: string;
      workflowId: string;
      now: string;
    }): Promise<ActionOutcome> {
      const [bought] = await graph.read<{ purchased: boolean }>(PURCHASED_SINCE, input);
      if (bought?.purchased) return { done: false, reason: 'already purchased' };
      const marketing = await consent(input.customerId, 'MARKETING_CONTACT');
      const channel = marketing.channels[0];
      if (!marketing.granted || channel === undefined) {
        return { done: false, reason: 'no consent to marketing contact' };
      }
      const reference = `${input.workflowId}:retargeting-offer`;
      await outreach({ ...input, serial: null, type: 'RETARGETING_OFFER', reference, channel });
      return { done: true, channel, reference };
    },

    /**
     * Offers help to a customer whose device was delivered but not installed. Service help is
     * not marketing: without a contact consent it waits in the app instead of being pushed.
     */
    async offerInstallationHelp(input: {
      customerId: string;
      sku: string;
      serial: string;
      now: string;
    }): Promise<ActionOutcome> {
      const marketing = await consent(input.customerId, 'MARKETING_CONTACT');
      const channel = (marketing.granted ? marketing.channels[0] : undefined) ?? 'APP';
      const reference = `device:${input.serial}:installation-help`;
      await outreach({ ...input, type: 'INSTALLATION_HELP_OFFERED', reference, channel });
      return { done: true, channel, reference };
    },

    /** Wipes every relationship between a person and a product model (an opt-out). */
    async wipeCustomerProduct(input: { customerId: string; sku: string }): Promise<void> {
      await graph.transaction(async (tx) => {
        const locked = await tx.run(LOCK_FOR_WIPE, input);
        if (locked.length > 0) await tx.run(WIPE_CUSTOMER_PRODUCT, input);
      });
    },

    /**
     * Whether telemetry may be used to act for this customer now: consent for telemetry use,
     * and no opt-out from the device's model.
     */
    async mayActOnTelemetry(input: { customerId: string; serial: string }): Promise<boolean> {
      const [row] = await graph.read<{ allowed: boolean }>(
        `MATCH (c:Customer {id: $customerId})-[:OWNS]->(d:Device {serial: $serial})
         OPTIONAL MATCH (k:Consent {customerId: $customerId, purpose: 'TELEMETRY_USE'})
         RETURN coalesce(k.granted, false) AND NOT d.sku IN coalesce(c.optedOutSkus, []) AS allowed`,
        input,
      );
      return row?.allowed ?? false;
    },

    async openIntervention(input: {
      interventionId: string;
      serial: string;
      customerId: string;
      reason: InterventionReason;
      workflowId: string;
      now: string;
    }): Promise<void> {
      const rows = await graph.write(OPEN_INTERVENTION, input);
      if (rows.length === 0) {
        throw ApplicationFailure.nonRetryable(
          `No device has serial ${input.serial}`,
          'UnknownDevice',
        );
      }
      await graph.write(INTERVENTION_STEP, {
        ...input,
        type: 'INTERVENTION_OPENED',
        channel: null,
      });
    },

    /**
     * Tells the customer the fix. Service messages go through the customer's first allowed
     * contact channel, or wait in the app when they allowed none.
     */
    async notifyFix(input: {
      interventionId: string;
      serial: string;
      customerId: string;
      reason: InterventionReason;
    }): Promise<{ channel: string }> {
      const contact = await consent(input.customerId, 'MARKETING_CONTACT');
      return { channel: (contact.granted ? contact.channels[0] : undefined) ?? 'APP' };
    },

    async recordInterventionStep(input: {
      interventionId: string;
      serial: string;
      customerId: string;
      type: string;
      channel: string | null;
      now: string;
    }): Promise<void> {
      await graph.write(INTERVENTION_STEP, input);
    },

    async closeIntervention(input: {
      interventionId: string;
      outcome: InterventionOutcome;
      now: string;
    }): Promise<void> {
      await graph.write(CLOSE_INTERVENTION, input);
      const [row] = await graph.read<{ serial: string; customerId: string | null }>(
        `MATCH (i:Intervention {id: $interventionId})-[:FOR]->(d:Device)
         RETURN d.serial AS serial, head([(c:Customer)-[:OWNS]->(d) | c.id]) AS customerId`,
        input,
      );
      if (row) {
        await graph.write(INTERVENTION_STEP, {
          interventionId: input.interventionId,
          serial: row.serial,
          customerId: row.customerId,
          type: 'INTERVENTION_CLOSED',
          channel: null,
          now: input.now,
        });
      }
    },

    /**
     * A device's health when its lifecycle checks for silence: the health change to act on,
     * if telemetry stopped arriving. Devices that never reported are not silent, just offline.
     */
    async checkDeviceSilence(input: { serial: string; now: string }): Promise<{ silent: boolean }> {
      const [row] = await graph.read<{ lastReadingAt: string | null }>(
        'MATCH (d:Device {serial: $serial}) RETURN toString(d.lastReadingAt) AS lastReadingAt',
        input,
      );
      if (!row?.lastReadingAt) return { silent: false };
      return { silent: Date.parse(input.now) - Date.parse(row.lastReadingAt) > SILENCE_AFTER_MS };
    },

    /** The sku of a device's model, which opt-outs and outreach need. */
    async deviceModel(input: { serial: string }): Promise<string> {
      const [row] = await graph.read<{ sku: string }>(
        'MATCH (d:Device {serial: $serial}) RETURN d.sku AS sku',
        input,
      );
      if (!row)
        throw ApplicationFailure.nonRetryable(
          `No device has serial ${input.serial}`,
          'UnknownDevice',
        );
      return row.sku;
    },
  };
}

export type LifecycleActivities = ReturnType<typeof createActivities>;
