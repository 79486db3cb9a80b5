/**
 * The part of picomatch's API this project calls (picomatch ships no types). A local
 * declaration rather than @types/picomatch, so that checkouts sharing an installed
 * node_modules type-check without a new install.
 */
declare module 'picomatch' {
  interface PicomatchOptions {
    /** `*` also matches `/` (bash's rules). */
    bash?: boolean;
    /** Match names that start with a dot. */
    dot?: boolean;
  }
  function picomatch(glob: string, options?: PicomatchOptions): (input: string) => boolean;
  export default picomatch;
}
