export function ensureDebianPackages(needs: { command: string; pkg: string }[]): boolean;
