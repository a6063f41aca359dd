// MAC addresses in every notation access points use, normalised to aa:bb:cc:dd:ee:ff before
// they are compared, logged or used in a key.
const HEX12 = /^[0-9a-f]{12}$/;

export function parseMac(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const compact = input.trim().toLowerCase().replace(/[-:.\s]/g, '');
  if (!HEX12.test(compact)) return undefined;
  // Only the separators a real notation uses: aa:bb.., aa-bb.., aabb.ccdd.eeff, aabbccddeeff.
  if (!/^([0-9a-f]{2}([-:]?)[0-9a-f]{2}(\2[0-9a-f]{2}){4}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4})$/i.test(input.trim())) return undefined;
  return compact.match(/../g)!.join(':');
}

/** Randomised ("private") MACs set the locally administered bit of the first octet. */
export function isLocallyAdministered(mac: string): boolean {
  return (parseInt(mac.slice(0, 2), 16) & 0x02) !== 0;
}
