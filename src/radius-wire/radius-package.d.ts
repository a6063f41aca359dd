// The part of the `radius` package (1.1.4, untyped) that Mektep uses: dictionaries and
// attribute encoding. Framing and authenticators are Mektep's own (packet.ts).
declare module 'radius' {
  /** [name or id, value], or ['Vendor-Specific', vendor, attributes] for VSAs. */
  export type EncodableAttribute =
    | [string | number, string | number | Buffer | Date]
    | ['Vendor-Specific', string | number, EncodableAttribute[]];

  export interface EncodeArgs {
    code: string;
    identifier: number;
    authenticator?: Buffer;
    attributes: EncodableAttribute[];
    secret: string;
    add_message_authenticator?: boolean;
  }

  export interface Decoded {
    code: string;
    identifier: number;
    attributes: Record<string, unknown>;
    raw_attributes: [number, Buffer][];
  }

  const radius: {
    add_dictionary(path: string): void;
    load_dictionaries(): void;
    encode(args: EncodeArgs): Buffer;
    decode_without_secret(args: { packet: Buffer }): Decoded;
    attr_name_to_id(name: string, vendor?: number): string | undefined;
    attr_id_to_name(id: number | string, vendor?: number): string | undefined;
    /** Writes attributes into `buffer` (vendor -1 = none); returns the bytes written. */
    encode_attributes(buffer: Buffer, attributes: EncodableAttribute[], vendor: number): number;
  };
  export default radius;
}
