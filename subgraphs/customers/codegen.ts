import { subgraphCodegen } from '../codegen-preset';

export default subgraphCodegen({
  contextType: '../context#CustomersContext',
  mappers: {
    Customer: '../customers/customer-repository#CustomerRecord',
    Consent: '../consents/consent-repository#ConsentRecord',
    ConsentChange: '../consents/consent-repository#ConsentChangeRecord',
    Preference: '../consents/consent-repository#PreferenceRecord',
    Touchpoint: '../timeline/timeline-repository#TouchpointRecord',
    CustomerValue: '../value/value-repository#CustomerValueRecord',
    CustomerMerge: '@experience-graph/identity#MergeRecord',
    Identity: '@experience-graph/identity#IdentityRecord',
    Erasure: '../erasure/erasure-repository#ErasureRecord',
    Segment: '@experience-graph/segments#SegmentDefinition',
  },
});
