/**
 * The channels every org starts with, and their stable `orgSourceId` values. `-1` is in-store,
 * the default of a new lead.
 */
export const DEFAULT_CHANNELS: ReadonlyArray<{ sourceId: number; name: string }> = [
  { sourceId: -1, name: 'INSTORE' },
  { sourceId: 1, name: 'FACEBOOK' },
  { sourceId: 2, name: 'WEB_ENGAGE' },
  { sourceId: 3, name: 'WECHAT' },
  { sourceId: 4, name: 'MARTJACK' },
  { sourceId: 5, name: 'TMALL' },
  { sourceId: 6, name: 'TAOBAO' },
  { sourceId: 7, name: 'JD' },
  { sourceId: 8, name: 'ECOMMERCE' },
  { sourceId: 9, name: 'LINE' },
  { sourceId: 10, name: 'WEBSITE' },
];

export const IN_STORE_SOURCE_ID = -1;
