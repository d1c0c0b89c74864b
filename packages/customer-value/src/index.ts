/**
 * Customer value from purchase histories: RFM summaries, the BG/NBD purchase model, the
 * gamma-gamma spend model, and their combination per customer. Pure functions, no I/O.
 */
export {
  type CustomerRfm,
  type Instant,
  type Purchase,
  type RfmOptions,
  type TimedAmount,
  instantMillis,
  rfmSummary,
} from './rfm';
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
export {
  type NelderMeadOptions,
  type NelderMeadResult,
  type ParameterBounds,
  nelderMead,
} from './optimise';
export { type SpecialFunctionFailure, SpecialFunctionError, hyp2f1, logGamma } from './special';
export {
  type CustomerPrediction,
  type HistoryOutcome,
  type PlausibilityOptions,
  type PredictionOutcome,
  type ScreenedPurchases,
  type SkipReason,
  type SkippedCustomer,
  type ValueModelFitOptions,
  type ValueModelsFit,
  DEFAULT_EARLIEST_PURCHASE,
  DEFAULT_PARAMETER_BOUNDS,
  fitValueModels,
  historySummariser,
  predictCustomer,
  screenPurchases,
} from './value-model';
export { parseCdnowSample } from './cdnow';
