/** Path of the bundled CLI for the current sources, or null where it cannot be built. */
export function bundledCli(root: string): Promise<string | null>;
