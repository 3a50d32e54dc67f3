/**
 * Whether `host` (a HOST value: a name or an IP literal, IPv6 with or without brackets) names this
 * machine's loopback interface, which no other machine can reach: `localhost`, `::1` or any 127.x.y.z.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare);
}
