export const ADMISSION_POLICIES = ['always-admit', 'token-bucket', 'reject-all'] as const;
export type AdmissionPolicyName = (typeof ADMISSION_POLICIES)[number];

export interface AdmissionConfig {
  policy: AdmissionPolicyName;
  tokenBucketCapacity: number;
  tokenBucketRefillRate: number;
}

export interface Admission {
  /** Decides at `clock` for a request costing `inputLen` tokens. */
  admit(inputLen: number, clock: number): { admitted: boolean; reason: string };
}

/** Admission policies of BLIS v0.6.1 (reference §11.5). */
export function createAdmission(cfg: AdmissionConfig): Admission {
  switch (cfg.policy) {
    case 'always-admit':
      return { admit: () => ({ admitted: true, reason: 'always-admit' }) };
    case 'reject-all':
      return { admit: () => ({ admitted: false, reason: 'reject-all' }) };
    case 'token-bucket': {
      const cap = cfg.tokenBucketCapacity;
      const rate = cfg.tokenBucketRefillRate;
      let tokens = cap;
      let last = 0;
      return {
        admit: (cost, clock) => {
          const elapsed = clock - last;
          if (elapsed > 0) {
            tokens = Math.min(cap, tokens + (elapsed * rate) / 1e6);
            last = clock;
          }
          if (tokens >= cost) {
            tokens -= cost;
            return { admitted: true, reason: 'token-bucket: admitted' };
          }
          return { admitted: false, reason: `token-bucket: ${cost} tokens needed, ${tokens} available` };
        },
      };
    }
  }
}
