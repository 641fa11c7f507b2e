/** What other features may use of events/: the outbox they append to, and its types. */
export {
  appendEvents,
  currentPosition,
  EVENT_RETENTION_DAYS_DEFAULT,
  sequenceEvents,
  type NewLeadEvent,
} from './event.service.js';
export {
  findEventPayloads,
  findEventRefs,
  findEvents,
  highestOrgPosition,
  highestOrgPositions,
  type EventRow,
} from './event.repository.js';
export { LEAD_EVENT_TYPES, type LeadEvent, type LeadEventType } from './event.schemas.js';
