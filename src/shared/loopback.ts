/**
 * Whether `host` (a HOST value: a name or an IP literal, IPv6 with or without brackets) names this
 * machine's loopback interface, which no other machine can reach: `localhost`, `::1` or any 127.x.y.z
 * (also written `::ffff:127.x.y.z`).
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is the same IPv4 loopback.
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}
