import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useCertificate } from '../../nodes/build/example-flows';
import { makeSelfSignedCert } from '../transport/helpers';
import type { FlowNode } from './example-flow';
import { scratchDir } from './packed-package';

/** A certificate and its key as files, and the certificate itself for a client to trust. */
export interface Certificate {
  cert: string;
  key: string;
  pem: Buffer;
}

/**
 * A self-signed certificate for localhost, made by openssl as the comment of example 6 tells the
 * user to (test/transport/helpers `makeSelfSignedCert`, as test/examples uses), written to a
 * scratch directory of this test process.
 */
export function makeCertificate(): Certificate {
  const dir = scratchDir('tls');
  const made = makeSelfSignedCert();
  const files = { cert: join(dir, 'broker.crt'), key: join(dir, 'broker.key') };
  writeFileSync(files.cert, made.cert);
  writeFileSync(files.key, made.key);
  return { ...files, pem: made.cert };
}

/** The flow with its `tls-config` nodes on `certificate` (see `useCertificate`). */
export function usingCertificate(flow: FlowNode[], certificate: Certificate): FlowNode[] {
  return useCertificate(flow, certificate.cert, certificate.key);
}
