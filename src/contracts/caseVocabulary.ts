// The case contract's closed vocabularies, free of zod so that a webview bundle can import them too. The schema in
// case.ts is built from these (contract 1), the case table's filters and form list them.
export const REVIEW_STATUSES = ['draft', 'verified', 'rejected'] as const;
export const SPLITS = ['train', 'eval', 'test'] as const;
