// A throwaway PKI made by the openssl CLI at test time: a CA (ca.pem/ca.key), a server certificate for
// 127.0.0.1 (server.pem/key), a client certificate (client.pem/key), both signed by the CA, and a self-signed
// client certificate the CA never signed (rogue.pem/key).
import { run } from '@filament/testkit';

export function makePki(dir: string): void {
  const o = (...args: string[]) => run('openssl', args);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  o(
    'req',
    '-x509',
    ...ec,
    '-days',
    '1',
    '-subj',
    '/CN=test-ca',
    '-keyout',
    `${dir}/ca.key`,
    '-out',
    `${dir}/ca.pem`,
  );
  // A client certificate the CA never signed.
  o(
    'req',
    '-x509',
    ...ec,
    '-days',
    '1',
    '-subj',
    '/CN=rogue',
    '-keyout',
    `${dir}/rogue.key`,
    '-out',
    `${dir}/rogue.pem`,
  );
  for (const [name, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    o('req', ...ec, '-subj', `/CN=${name}`, '-keyout', `${dir}/${name}.key`, '-out', `${dir}/${name}.csr`);
    run('sh', ['-c', `printf '${ext}\\n' > ${dir}/${name}.ext`]);
    o(
      'x509',
      '-req',
      '-in',
      `${dir}/${name}.csr`,
      '-CA',
      `${dir}/ca.pem`,
      '-CAkey',
      `${dir}/ca.key`,
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      `${dir}/${name}.ext`,
      '-out',
      `${dir}/${name}.pem`,
    );
  }
}
