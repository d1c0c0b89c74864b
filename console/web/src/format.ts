/** How the console writes numbers, amounts, times and the schema's enum values. */
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export const formatMoney = (amount: number, currency = 'USD'): string =>
  currency === 'USD'
    ? money.format(amount)
    : new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);

export const formatPercent = (share: number | null | undefined): string =>
  share == null ? '—' : `${(share * 100).toFixed(share < 0.1 && share > 0 ? 1 : 0)}%`;

export const formatNumber = (n: number | null | undefined, digits = 1): string =>
  n == null ? '—' : n.toFixed(digits).replace(/\.0+$/, '');

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDay(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleDateString('en-GB', { dateStyle: 'medium' });
}

/** `AD_CLICK` → `Ad click`. */
export function humanise(value: string | null | undefined): string {
  if (!value) return '—';
  const words = value.replace(/_/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
