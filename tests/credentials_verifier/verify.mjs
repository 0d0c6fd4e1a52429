// Runs the Digital Credentials Consortium's verifier (@digitalcredentials/verifier-core,
// not our code) on one credential, offline.
//
// Input on stdin, JSON: {"credential": {...}, "documents": {"<url>": <JSON text>, ...}}
// Output on stdout, JSON: the verifier's result (the credential itself left out).
//
// The verifier fetches the issuer's DID document (did:web: over HTTPS), the status list
// and the JSON Schema with `fetch`. This script answers those requests from `documents`
// (what the tests took from lms's own routes) and refuses every other address: nothing
// leaves the machine, and the verifier's own code runs unchanged.
import { readFileSync } from 'node:fs';

const input = JSON.parse(readFileSync(0, 'utf8'));
const documents = input.documents || {};
const requested = [];

globalThis.fetch = async (resource, init) => {
  const url = typeof resource === 'string' ? resource : resource.url ?? String(resource);
  requested.push(url);
  if (!(url in documents)) {
    throw new TypeError(`offline: no document for ${url}`);
  }
  const body = documents[url];
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
};

const { verifyCredential } = await import('@digitalcredentials/verifier-core');
const result = await verifyCredential({ credential: input.credential, knownDIDRegistries: [] });
delete result.credential;
for (const error of result.errors || []) {
  delete error.stackTrace;
}
process.stdout.write(JSON.stringify({ result, requested }, null, 2) + '\n');
