/**
 * Customer value from purchase histories: RFM summaries, the BG/NBD purchase model, the
 * gamma-gamma spend model, and their combination per customer. Pure functions, no I/O.
 */
export { type CustomerRfm, type Purchase, type RfmOptions, rfmSummary } from './rfm';
export {
  type BgNbdFit,
  type BgNbdFitOptions,
  type BgNbdParams,
  type RepeatHistory,
  bgNbdConditionalExpectedPurchases,
  bgNbdCustomerLogLikelihood,
  bgNbdExpectedPurchases,
  bgNbdLogLikelihood,
  bgNbdProbabilityAlive,
  fitBgNbd,
} from './bg-nbd';
export {
  type GammaGammaFit,
  type GammaGammaFitOptions,
  type GammaGammaParams,
  type SpendHistory,
  fitGammaGamma,
  gammaGammaExpectedAverageValue,
  gammaGammaLogLikelihood,
  gammaGammaPopulationMean,
} from './gamma-gamma';
export {
  type CustomerValue,
  type CustomerValueModels,
  type CustomerValueOptions,
  customerValue,
  customerValues,
} from './customer-value';
export { type NelderMeadOptions, type NelderMeadResult, nelderMead } from './optimise';
export { hyp2f1, logGamma } from './special';
export { parseCdnowSample } from './cdnow';
