#!/usr/bin/env node
/*
 * An independent verifier and issuer for Rapid Adoption's badges, built on Digital Bazaar's JavaScript libraries
 * (@digitalbazaar/vc, data-integrity, eddsa-rdfc-2022-cryptosuite, ed25519-multikey, vc-bitstring-status-list).
 *
 * It is offline: its document loader serves the SAME pinned JSON-LD contexts as the Python package
 * (src/rapid_adoption/badges/contexts/), did:key documents computed from the key itself, and the status list
 * credentials given on the command line. Any other URL is refused; nothing is fetched.
 *
 * Usage (each prints one JSON object on stdout):
 *   node badges.mjs verify BADGE.json STATUS_LISTS.json NOW
 *       STATUS_LISTS.json is {url: status list credential}; NOW an ISO date-time.
 *       -> {"verified": bool, "status": {"revocation": bool, "suspension": bool} | null, "error": str | null}
 *          exit status 0 when verified, 1 when not.
 *   node badges.mjs issue SEED_HEX OUT_DIR
 *       Makes a did:key from the 32-byte seed, issues an OpenBadgeCredential with a revocation and a suspension
 *       entry, and writes OUT_DIR/badge.json and OUT_DIR/status-lists.json (both lists empty, signed).
 *       -> {"issuer": did, "badge": path, "statusLists": path}
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus, createCredential, createList} from '@digitalbazaar/vc-bitstring-status-list';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = join(HERE, '..', 'src', 'rapid_adoption', 'badges', 'contexts');
const PINNED = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'openbadges-context-3.0.3.json',
  'https://w3id.org/security/multikey/v1': 'multikey-v1.jsonld',
  'https://w3id.org/security/data-integrity/v2': 'data-integrity-v2.jsonld',
};
const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function didKeyDocument(did) {
  const multibase = did.slice('did:key:'.length);
  const vmId = `${did}#${multibase}`;
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: multibase}],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityInvocation: [vmId],
    capabilityDelegation: [vmId],
  };
}

function makeDocumentLoader(statusLists = {}) {
  return async url => {
    if(Object.hasOwn(PINNED, url)) {
      return {contextUrl: null, documentUrl: url, document: readJson(join(CONTEXTS_DIR, PINNED[url]))};
    }
    if(url.startsWith('did:key:')) {
      const [did, fragment] = url.split('#');
      const document = didKeyDocument(did);
      if(fragment === undefined) {
        return {contextUrl: null, documentUrl: url, document};
      }
      const method = document.verificationMethod.find(vm => vm.id === url);
      if(!method) {
        throw new Error(`${url} is not in ${did}'s DID document`);
      }
      return {contextUrl: null, documentUrl: url, document: {'@context': MULTIKEY_V1, ...method}};
    }
    if(Object.hasOwn(statusLists, url)) {
      return {contextUrl: null, documentUrl: url, document: statusLists[url]};
    }
    throw new Error(`not pinned, never fetched: ${url}`);
  };
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

async function verify(badgePath, statusListsPath, now) {
  const credential = readJson(badgePath);
  const statusLists = readJson(statusListsPath);
  const documentLoader = makeDocumentLoader(statusLists);
  const status = {};
  const result = await vc.verifyCredential({
    credential,
    suite,
    documentLoader,
    now: new Date(now),
    async checkStatus(options) {
      const checked = await checkStatus({...options, suite, documentLoader});
      if(!checked.verified) {
        return checked;
      }
      for(const {credentialStatus, status: set} of checked.results) {
        status[credentialStatus.statusPurpose] = set;
      }
      const set = Object.values(status).some(value => value === true);
      return {...checked, verified: !set, error: set ? new Error(`status set: ${JSON.stringify(status)}`) : undefined};
    },
  });
  const errors = [];
  if(result.error) {
    errors.push(result.error.message || String(result.error));
    for(const inner of result.error.errors || []) {
      errors.push(inner.message || String(inner));
    }
  }
  for(const proofResult of result.results || []) {
    if(proofResult.error) {
      errors.push(proofResult.error.message || String(proofResult.error));
    }
  }
  if(result.statusResult && result.statusResult.error) {
    errors.push(result.statusResult.error.message || String(result.statusResult.error));
  }
  const output = {
    verified: result.verified === true,
    status: Object.keys(status).length ? status : null,
    error: errors.length ? errors.join('; ') : null,
  };
  process.stdout.write(JSON.stringify(output) + '\n');
  return output.verified ? 0 : 1;
}

async function issue(seedHex, outDir) {
  const seed = Uint8Array.from(Buffer.from(seedHex, 'hex'));
  if(seed.length !== 32) {
    throw new Error('the seed must be 32 bytes, in hex');
  }
  const key = await Ed25519Multikey.generate({seed});
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  const signingSuite = new DataIntegrityProof({
    signer: key.signer(), cryptosuite: eddsaRdfc2022CryptoSuite, date: '2026-11-02T08:00:00Z',
  });
  const base = 'https://interop.example.org/status';
  const statusLists = {};
  for(const purpose of ['revocation', 'suspension']) {
    const url = `${base}/${purpose}`;
    const list = await createList({length: 131072});
    const unsigned = await createCredential({id: url, list, statusPurpose: purpose});
    unsigned.issuer = did;
    unsigned.validFrom = '2024-01-01T00:00:00Z';
    statusLists[url] = await vc.issue({credential: unsigned, suite: signingSuite, documentLoader: makeDocumentLoader()});
  }
  const resultId = 'urn:uuid:0c9f3a52-8d1e-4b9e-9a55-3e1f5b2f7c01';
  const credential = {
    '@context': Object.keys(PINNED).slice(0, 2),
    id: 'urn:uuid:7d1e2f60-3b4c-4c8a-9e7f-1a2b3c4d5e6f',
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Badge of approval: THALES counter-UAS demonstrator (Counter-UAS detection v1)',
    issuer: {id: did, type: ['Profile'], name: 'Interop test issuer (Node, Digital Bazaar libraries)'},
    validFrom: '2026-11-02T08:00:00Z',
    validUntil: '2028-11-02T08:00:00Z',
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [
        {type: 'IdentityObject', hashed: false, identityHash: 'THALES DMS FRANCE SAS', identityType: 'name'},
        {type: 'IdentityObject', hashed: false, identityHash: '999954862', identityType: 'ext:EU-PIC'},
      ],
      achievement: {
        id: 'urn:uuid:2f4c6e80-1a3b-4d5e-8f70-9a1b2c3d4e5f',
        type: ['Achievement'],
        achievementType: 'QualityAssuranceCredential',
        name: 'Counter-UAS demonstrator, demonstrated against Counter-UAS detection v1',
        description: 'Issued by the interoperability script to show that Rapid Adoption verifies a foreign badge.',
        criteria: {narrative: 'Detects small UAS in each use case.'},
        resultDescription: [{
          id: resultId, type: ['ResultDescription'], name: 'Detect small UAS at 2 km',
          resultType: 'ScaledScore', valueMin: '1', valueMax: '10',
        }],
      },
      result: [{type: ['Result'], resultDescription: resultId, value: '7'}],
    },
    evidence: [{
      type: ['Evidence'], name: 'Trial: INTEROP-1', genre: 'Trial',
      description: 'Trial at CEOM - Centro de Experimentação Operacional da Marinha (PRT), 2026-10-05 to 2026-10-09.',
    }],
    credentialStatus: ['revocation', 'suspension'].map(purpose => ({
      id: `${base}/${purpose}#4242`,
      type: 'BitstringStatusListEntry',
      statusPurpose: purpose,
      statusListIndex: '4242',
      statusListCredential: `${base}/${purpose}`,
    })),
  };
  const badge = await vc.issue({credential, suite: signingSuite, documentLoader: makeDocumentLoader()});
  const badgePath = join(outDir, 'badge.json');
  const listsPath = join(outDir, 'status-lists.json');
  writeFileSync(badgePath, JSON.stringify(badge, null, 2) + '\n');
  writeFileSync(listsPath, JSON.stringify(statusLists, null, 2) + '\n');
  process.stdout.write(JSON.stringify({issuer: did, badge: badgePath, statusLists: listsPath}) + '\n');
  return 0;
}

const [command, ...args] = process.argv.slice(2);
try {
  let code;
  if(command === 'verify' && args.length === 3) {
    code = await verify(...args);
  } else if(command === 'issue' && args.length === 2) {
    code = await issue(...args);
  } else {
    process.stderr.write('usage: node badges.mjs verify BADGE.json STATUS_LISTS.json NOW | issue SEED_HEX OUT_DIR\n');
    code = 2;
  }
  process.exitCode = code;
} catch(error) {
  process.stderr.write(`${error.stack || error}\n`);
  process.exitCode = 3;
}
