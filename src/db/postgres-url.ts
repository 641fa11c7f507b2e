/**
 * A `DATABASE_URL` that names several hosts, in libpq's form
 * (`postgres://user@db1:5432,db2:5432/leadline`), split into one URL per host, in the order
 * given. A URL of one host answers itself. Throws a message naming the fault when a host is
 * empty or a host's URL does not parse; config turns it into CONFIG_INVALID.
 *
 * @example postgresHostUrls('postgres://u@a:5441,b:5442/db') // ['postgres://u@a:5441/db', 'postgres://u@b:5442/db']
 */
export function postgresHostUrls(url: string): string[] {
  const parts = /^(postgres(?:ql)?:\/\/)(?:([^@/?#]*)@)?([^/?#]*)(.*)$/s.exec(url);
  if (!parts) throw new Error('is not a postgres:// URL');
  const [, scheme, userInfo, hostList = '', rest] = parts;
  const hosts = hostList.split(',');
  if (hosts.length === 1) return [url];
  return hosts.map((host, index) => {
    if (host.trim() === '') throw new Error(`names an empty host (number ${index + 1})`);
    const single = `${scheme}${userInfo === undefined ? '' : `${userInfo}@`}${host}${rest}`;
    try {
      new URL(single);
    } catch {
      throw new Error(`names a host that is not host or host:port: ${JSON.stringify(host)}`);
    }
    return single;
  });
}

/** The host and port of a one-host URL, for logs (never its password). */
export function hostLabel(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'unparsable host';
  }
}
