import type { App } from '../../app';
import { renderApiReference } from './reference-page';

export const OPENAPI_INFO = {
  title: 'Gratia API',
  version: '1.0.0',
  description:
    'The partner-network rewards platform for clinics: the network, patients and their coalition card, signed gift vouchers, bonus points and settlement. Errors are RFC 9457 problem+json with a stable `code`.',
};

export function openApiDocument(app: App, baseUrl: string) {
  return app.getOpenAPI31Document({ openapi: '3.1.0', info: OPENAPI_INFO, servers: [{ url: baseUrl }] });
}

export function registerOpenApi(app: App) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An organisation API key, or the operator token',
  });
  app.get('/openapi.json', (c) => c.json(openApiDocument(app, new URL(c.req.url).origin)));
  app.get('/docs', (c) => c.html(renderApiReference(openApiDocument(app, new URL(c.req.url).origin))));
}
