import { LEAD_EVENT_TYPES, type LeadEventType } from '../events/index.js';

/** What each event type's delivery means, for the OpenAPI document's `webhooks`. */
const SUMMARIES: Record<LeadEventType, string> = {
  'lead.created': 'A lead was created',
  'lead.updated': 'A lead’s owner or extended fields were changed',
  'lead.status_changed': 'A lead’s status changed (by a person, or by auto-close as -1)',
  'lead.follow_up_added': 'A follow-up was added to a lead',
};

const header = (name: string, description: string) => ({
  name,
  in: 'header',
  required: true,
  description,
  schema: { type: 'string' },
});

/**
 * The OpenAPI 3.1 `webhooks` object: one POST per event type, as Leadline sends it to an org's
 * endpoints (docs/webhooks.md).
 */
export function webhooksDocument(): Record<string, unknown> {
  return Object.fromEntries(
    LEAD_EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace('.', '_')}`,
          summary: SUMMARIES[type],
          description:
            'Sent to each enabled endpoint subscribed to this type, in the Standard Webhooks format. ' +
            'Verify `webhook-signature` with the endpoint’s secret; deduplicate on `webhook-id`. ' +
            'A lead’s events arrive in order; retries follow docs/webhooks.md.',
          tags: ['webhooks'],
          security: [],
          parameters: [
            header('webhook-id', 'The event’s id, the same on every attempt and replay.'),
            header('webhook-timestamp', 'The attempt’s time, in seconds since the epoch.'),
            header(
              'webhook-signature',
              '`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret; two, space-separated, for 24 h after a rotation.',
            ),
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  allOf: [
                    { $ref: '#/components/schemas/LeadEvent' },
                    { type: 'object', properties: { type: { const: type } } },
                  ],
                },
              },
            },
          },
          responses: {
            '2XX': { description: 'Delivered.' },
            '410': { description: 'Gone: the delivery is given up and the endpoint disabled.' },
            '429': {
              description:
                'Retried after `Retry-After` (also on 503); any other answer is retried on the schedule.',
            },
          },
        },
      },
    ]),
  );
}
