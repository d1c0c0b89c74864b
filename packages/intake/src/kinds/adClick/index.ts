import { adTouchKind } from '../ad-touch';

/** Someone acted on an ad of a campaign. */
export const adClick = adTouchKind('adClick', 'AD_CLICK');
