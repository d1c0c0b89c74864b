import type { TestSystem } from './system';

/** A customer as an erasure test registers them. */
export interface FixtureCustomer {
  id: string;
  displayName: string;
}

/**
 * What an erasure test starts from: the customer it erases, another customer who stays, and a
 * device of a product model that an e-mail campaign promotes.
 */
export interface ErasureFixtures {
  kept: FixtureCustomer;
  erased: FixtureCustomer;
  sku: string;
  serial: string;
  campaign: string;
}

/**
 * Registers both customers, the product model, its device and an e-mail campaign for the model
 * at the INTERESTED stage, in one mutation through the gateway.
 */
export async function registerErasureFixtures(
  system: TestSystem,
  { kept, erased, sku, serial, campaign }: ErasureFixtures,
): Promise<void> {
  await system.data(
    `mutation ($a: RegisterCustomerInput!, $b: RegisterCustomerInput!, $m: RegisterProductModelInput!,
               $d: RegisterDeviceInput!, $k: CreateCampaignInput!) {
      a: registerCustomer(input: $a) { id } b: registerCustomer(input: $b) { id }
      registerProductModel(input: $m) { sku } registerDevice(input: $d) { serial }
      createCampaign(input: $k) { id }
    }`,
    {
      a: kept,
      b: erased,
      m: { sku, name: 'Model' },
      d: { serial, sku },
      k: {
        id: campaign,
        name: 'Campaign',
        channel: 'EMAIL',
        journeyStage: 'INTERESTED',
        productSku: sku,
      },
    },
  );
}
