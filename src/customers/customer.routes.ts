import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { lookupErrors, ref } from '../http/schemas.js';
import { callerOf } from '../http/request-context.js';
import { CustomerIdParams, CustomerLookupQuery, CustomerResponse } from './customer.schemas.js';
import { getCustomer, lookUpCustomer, requireCustomerPath } from './customer.service.js';

const customerResponses = { 200: ref(CustomerResponse), ...lookupErrors };

export const customerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/v2/customers',
    {
      schema: {
        tags: ['customers'],
        operationId: 'findCustomer',
        summary: 'The customer with an email or mobile identifier',
        querystring: CustomerLookupQuery,
        response: customerResponses,
      },
    },
    async (request) => ({
      ...(await lookUpCustomer(app.ctx, callerOf(request), request.query)),
      warnings: [],
    }),
  );

  app.get(
    // Customer ids are digits: any other segment is no route at all, as for leads.
    '/v2/customers/:id(^\\d+$)',
    {
      config: {
        requireResource: (ctx, caller, raw) => requireCustomerPath(ctx, caller, raw.id ?? ''),
      },
      schema: {
        tags: ['customers'],
        operationId: 'getCustomer',
        summary: 'One customer with its leads count',
        params: CustomerIdParams,
        response: customerResponses,
      },
    },
    async (request) => ({
      ...(await getCustomer(app.ctx, callerOf(request), request.params.id)),
      warnings: [],
    }),
  );
};
