/** What other features may use of channels/: everything else in the folder is its own. */
export { DEFAULT_CHANNELS, IN_STORE_SOURCE_ID } from './channel.catalogue.js';
export { channelExists, insertChannels } from './channel.repository.js';
