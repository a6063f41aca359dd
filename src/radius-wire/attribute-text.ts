// Reply attributes as a person reads them ("Mikrotik-Rate-Limit = 1000k/5000k"), for
// `mektep policy preview`: names from the dictionaries, numbers as numbers.
import type { EncodableAttribute } from 'radius';
import { loadDictionaries } from './dictionary.js';

export interface AttributeText {
  name: string;
  value: string | number;
}

const TAGGED_INTEGER = new Set([64, 65]);
const TAGGED_STRING = new Set([81]);

function valueText(id: number, value: string | number | Buffer): string | number {
  if (!Buffer.isBuffer(value)) return value;
  if (TAGGED_INTEGER.has(id)) return value.readUInt32BE(0) & 0xffffff;
  if (TAGGED_STRING.has(id)) return value.subarray(1).toString('utf8');
  if (value.length === 4 && !/^[\x20-\x7e]{4}$/.test(value.toString('latin1'))) return value.readUInt32BE(0);
  return /^[\x20-\x7e]*$/.test(value.toString('latin1')) ? value.toString('latin1') : `0x${value.toString('hex')}`;
}

export function attributesText(attributes: EncodableAttribute[], vendor?: number): AttributeText[] {
  const radius = loadDictionaries();
  return attributes.flatMap((attribute): AttributeText[] => {
    if (attribute[0] === 'Vendor-Specific') return attributesText(attribute[2] as EncodableAttribute[], Number(attribute[1]));
    const [key, value] = attribute as [string | number, string | number | Buffer];
    const id = typeof key === 'number' ? key : Number(radius.attr_name_to_id(key, vendor));
    const name = typeof key === 'number' ? (radius.attr_id_to_name(key, vendor) ?? `${vendor ? `${vendor}:` : ''}${key}`) : key;
    return [{ name, value: valueText(id, value) }];
  });
}
