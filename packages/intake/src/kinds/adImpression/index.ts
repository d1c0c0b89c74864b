import { adTouchKind } from '../ad-touch';

/** Someone saw an ad of a campaign. */
export const adImpression = adTouchKind('adImpression', 'AD_IMPRESSION');
