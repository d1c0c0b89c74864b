/**
 * Fits BG/NBD and gamma-gamma to the CDNOW sample and prints the estimates, log-likelihoods and
 * fit times next to the published values:
 *
 *   npx tsx packages/customer-value/src/fit-cdnow.ts
 *
 * The data lives beside the repository, at ../shared/data/cdnow (see its README).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fitBgNbd } from './bg-nbd';
import { parseCdnowSample } from './cdnow';
import { fitGammaGamma } from './gamma-gamma';
import { rfmSummary } from './rfm';

const file = path.join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'shared',
  'data',
  'cdnow',
  'CDNOW_sample.txt',
);

const started = performance.now();
const purchases = parseCdnowSample(readFileSync(file, 'utf8'));
const customers = rfmSummary(purchases, { calibrationEnd: '1997-09-30' });
const summarised = performance.now();
const bgNbd = fitBgNbd(customers);
const bgNbdDone = performance.now();
const gammaGamma = fitGammaGamma(customers);
const gammaGammaDone = performance.now();

const round = (value: number, digits = 4): number => Number(value.toFixed(digits));
console.log(`CDNOW sample: ${purchases.length} lines, ${customers.length} customers`);
console.log(`RFM summary: ${round(summarised - started, 1)} ms (including reading the file)`);
console.log(
  'BG/NBD      ',
  JSON.stringify({
    r: round(bgNbd.params.r),
    alpha: round(bgNbd.params.alpha),
    a: round(bgNbd.params.a),
    b: round(bgNbd.params.b),
    logLikelihood: round(bgNbd.logLikelihood, 3),
    customers: bgNbd.customers,
    evaluations: bgNbd.evaluations,
    converged: bgNbd.converged,
    ms: round(bgNbdDone - summarised, 1),
  }),
);
console.log('  published  r 0.243, alpha 4.414, a 0.793, b 2.426, LL -9582.4 (FHL 2005)');
console.log(
  'gamma-gamma ',
  JSON.stringify({
    p: round(gammaGamma.params.p),
    q: round(gammaGamma.params.q),
    gamma: round(gammaGamma.params.gamma),
    logLikelihood: round(gammaGamma.logLikelihood, 3),
    customers: gammaGamma.customers,
    evaluations: gammaGamma.evaluations,
    converged: gammaGamma.converged,
    ms: round(gammaGammaDone - bgNbdDone, 1),
  }),
);
console.log('  published  p 6.25, q 3.74, gamma 15.44 on 946 customers (FHL 2005, "RFM and CLV")');
