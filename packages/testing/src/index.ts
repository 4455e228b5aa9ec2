// @celers/testing (private): one fresh database per test file, on the server the global setup resolved; private
// servers and topologies; the Python Celery runner of the interop tests and the bench.

export {
  canStartGaleraCluster,
  GALERA_PROVIDER,
  type GaleraCluster,
  type GaleraClusterOptions,
  startGaleraCluster,
} from './galera-cluster.js';
export {
  canStartPrivateServer,
  freePort,
  type PrivateServer,
  type PrivateServerOptions,
  startPrivateServer,
} from './private-server.js';
export {
  type PythonPool,
  type PythonWorker,
  type PythonWorkerOptions,
  pythonCeleryMissing,
  pythonInterpreter,
  sqlalchemyUrl,
  startPythonWorker,
} from './python-celery.js';
export { type RawHttpAnswer, type RawHttpRequestInit, rawHttpRequest } from './raw-http-request.js';
export { type ReplicaPair, type ReplicaPairOptions, startReplicaPair } from './replica-pair.js';
export { NO_DATABASE_HELP, TEST_DATABASE_URL_ENV } from './resolve-database-url.js';
export { queryOnce, waitUntil } from './root-query.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
