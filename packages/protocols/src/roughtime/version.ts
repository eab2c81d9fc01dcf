/**
 * Roughtime version numbers. This implementation follows draft-ietf-ntp-roughtime-19
 * (published as RFC 10049): version 1. The draft's testing number 0x8000000c is accepted
 * too, with the same wire format.
 * @see https://datatracker.ietf.org/doc/html/draft-ietf-ntp-roughtime-19#section-5
 */

/** Roughtime version 1 (draft-ietf-ntp-roughtime-19 §12.2). */
export const ROUGHTIME_VERSION_1 = 0x1;

/** The number draft-ietf-ntp-roughtime-19 uses while testing drafts ("NOTE TO RFC EDITOR"). */
export const ROUGHTIME_VERSION_DRAFT = 0x8000000c;

/** The versions we speak, ascending (the order VER and VERS require). */
export const ROUGHTIME_VERSIONS: readonly number[] = [ROUGHTIME_VERSION_1, ROUGHTIME_VERSION_DRAFT];
