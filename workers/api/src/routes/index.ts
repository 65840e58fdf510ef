import type { App } from '../app';
import { registerCreateApiKey } from './api-keys/create';
import { registerListApiKeys } from './api-keys/list';
import { registerRevokeApiKey } from './api-keys/revoke';
import { registerHealth } from './meta/health';
import { registerMe } from './meta/me';
import { registerOpenApi } from './meta/openapi';
import { registerCreateOrganization } from './organizations/create';
import { registerGetOrganization } from './organizations/get';
import { registerListOrganizations } from './organizations/list';
import { registerCreatePatient } from './patients/create';
import { registerGetPatient } from './patients/get';
import { registerListPatients } from './patients/list';
import { registerUpdatePatient } from './patients/update';

/** Every route of the API, in one visible list. Each route file states the roles that may call it. */
export function registerRoutes(app: App): void {
  registerHealth(app);

  // Network (operator)
  registerCreateOrganization(app);
  registerListOrganizations(app);
  registerGetOrganization(app);
  registerCreateApiKey(app);
  registerListApiKeys(app);
  registerRevokeApiKey(app);
  registerMe(app);

  // Patients and the coalition card
  registerCreatePatient(app);
  registerListPatients(app);
  registerGetPatient(app);
  registerUpdatePatient(app);

  // Last: the document describes every route registered above.
  registerOpenApi(app);
}
