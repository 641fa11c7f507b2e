import { Type, type Static } from '@sinclair/typebox';
import { ListEnvelope, named, ref } from '../http/schemas.js';

/** TypeBox schemas of the channel routes. */

export const Channel = named(
  'Channel',
  Type.Object({
    orgSourceId: Type.Integer({
      description: 'What leads carry as `orgSourceId`; -1 is in-store, the default.',
    }),
    name: Type.String(),
  }),
);
export type Channel = Static<typeof Channel>;

export const ChannelList = ListEnvelope(ref(Channel));
