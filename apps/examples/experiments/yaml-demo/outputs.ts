/** Writers turn what a step writes into file contents; loaders read it back downstream. */
export const write_json = (data: unknown): string => JSON.stringify(data, null, 2);
export const read_json = (bytes: Buffer): unknown => JSON.parse(bytes.toString('utf8'));
