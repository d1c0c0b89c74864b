import type { Principal } from '@experience-graph/access';
import type { SigningConfig } from '@experience-graph/server-kit';
import type { IdentityConfig, ValueConfig } from '@experience-graph/config';
import { createIdentityRepository, type IdentityRepository } from '@experience-graph/identity';
import type { Graph } from '@experience-graph/neo4j';
import {
  createIdentityLoaders,
  identityViewPart,
  type IdentityLoaders,
} from './identity/resolvers';
import { createProvenanceRepository } from './identity/provenance-repository';
import type { ErasureStarter } from '@experience-graph/workflows';
import { createErasureRepository, type ErasureRepository } from './erasure/erasure-repository';
import { createErasureLoaders, type ErasureLoaders } from './erasure/resolvers';
import { createValueLoaders, valueViewParts, type ValueLoaders } from './value/resolvers';
import type { ValueModelService } from './value/value-model';
import { createValueRepository, type ValueRepository } from './value/value-repository';
import { createConsentRepository, type ConsentRepository } from './consents/consent-repository';
import { consentViewParts, createConsentLoaders, type ConsentLoaders } from './consents/resolvers';
import { createTimelineRepository } from './timeline/timeline-repository';
import {
  createTimelineLoaders,
  timelineViewPart,
  type TimelineLoaders,
} from './timeline/resolvers';
import { createCustomerLoaders, type CustomerLoaders } from './customers/resolvers';
import { createCustomerRepository, type CustomerRepository } from './customers/customer-repository';
import { createSegmentRepository, type SegmentRepository } from '@experience-graph/segments';
import { createSegmentLoaders, segmentViewPart, type SegmentLoaders } from './segments/resolvers';
import { createQualityLoaders, qualityViewPart, type QualityLoaders } from './quality/resolvers';
import { createVoiceRepository } from './voice/voice-repository';
import { createVoiceLoaders, voiceViewPart, type VoiceLoaders } from './voice/resolvers';
import { createViewLoader, type ViewLoader, type ViewPart } from './view/customer-view';

/** What the customers subgraph needs from the outside world. */
export interface CustomersDependencies {
  graph: Graph;
  value: ValueConfig;
  /** Starts lifetime-value model fits; without it, `refreshValueModel` says it is unavailable. */
  valueModel?: ValueModelService;
  /** The erasure salt (ERASURE_SALT) and how erasure workflows start. */
  erasure: ErasureDependencies;
  /** How the gateway's signatures are checked (`config.signing`). */
  signing: SigningConfig;
  /** Namespaces a person holds at most one value of, for merges by hand; LOYALTY_ID if absent. */
  identity?: Pick<IdentityConfig, 'uniqueNamespaces'>;
}

export interface ErasureDependencies {
  salt: string;
  starter: ErasureStarter;
}

/** Per-request context: repositories, and DataLoaders that live for one request only. */
export interface CustomersContext {
  /** Who is behind the request, as the gateway vouched. */
  principal: Principal;
  customers: CustomerRepository;
  loaders: CustomerLoaders;
  /** Customers with everything their selection asks, read in one statement (view/). */
  view: ViewLoader;
  consents: ConsentRepository;
  consentLoaders: ConsentLoaders;
  timelineLoaders: TimelineLoaders;
  valueLoaders: ValueLoaders;
  identity: IdentityRepository;
  identityLoaders: IdentityLoaders;
  voiceLoaders: VoiceLoaders;
  /** How value and super-users are reckoned. */
  valueConfig: ValueConfig;
  value: ValueRepository;
  valueModel: ValueModelService | null;
  erasures: ErasureRepository;
  erasureLoaders: ErasureLoaders;
  erasure: ErasureDependencies;
  segments: SegmentRepository;
  segmentLoaders: SegmentLoaders;
  qualityLoaders: QualityLoaders;
}

/** Every feature's share of the customer view's statement. */
const VIEW_PARTS: ReadonlyArray<ViewPart<CustomersContext>> = [
  identityViewPart,
  ...consentViewParts,
  qualityViewPart,
  segmentViewPart,
  timelineViewPart,
  ...valueViewParts,
  voiceViewPart,
];

export function createContextFactory(
  deps: CustomersDependencies,
): (principal: Principal) => CustomersContext {
  const customers = createCustomerRepository(deps.graph);
  const consents = createConsentRepository(deps.graph);
  const timeline = createTimelineRepository(deps.graph);
  const value = createValueRepository(deps.graph, deps.value);
  const identity = createIdentityRepository(deps.graph, {
    uniqueNamespaces: deps.identity?.uniqueNamespaces,
  });
  const provenance = createProvenanceRepository(deps.graph);
  const voice = createVoiceRepository(deps.graph);
  const erasures = createErasureRepository(deps.graph);
  const segments = createSegmentRepository(deps.graph, deps.value);
  return (principal) => {
    const loaders = createCustomerLoaders(customers);
    const context: CustomersContext = {
      principal,
      customers,
      loaders,
      view: createViewLoader(
        deps.graph,
        VIEW_PARTS,
        () => context,
        (id, customer) => loaders.customerById.prime(id, customer),
      ),
      consents,
      consentLoaders: createConsentLoaders(consents),
      timelineLoaders: createTimelineLoaders(timeline),
      valueLoaders: createValueLoaders(value),
      identity,
      identityLoaders: createIdentityLoaders(identity, provenance),
      voiceLoaders: createVoiceLoaders(voice),
      valueConfig: deps.value,
      value,
      valueModel: deps.valueModel ?? null,
      erasures,
      erasureLoaders: createErasureLoaders(erasures),
      segments,
      segmentLoaders: createSegmentLoaders(segments),
      qualityLoaders: createQualityLoaders(deps.graph),
      erasure: deps.erasure,
    };
    return context;
  };
}
